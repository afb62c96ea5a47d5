package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.segmentation.Segmenter;

/**
 * The options every segment-level method shares, fixed when the method is built.
 *
 * @param model the model
 * @param segmenter how images are split into segments
 * @param baseline what a removed segment shows
 * @param maxBatch most perturbed images per forward pass
 * @param progress told after each chunk, or null
 */
record SegmentSetup(InterpretableModel model, Segmenter segmenter, Baseline baseline, int maxBatch,
        ProgressListener progress) {
}
