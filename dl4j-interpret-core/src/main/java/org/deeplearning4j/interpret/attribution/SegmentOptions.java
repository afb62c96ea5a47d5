package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.segmentation.Segmenter;
import org.deeplearning4j.interpret.segmentation.Segmenters;

/**
 * The options every segment-level method's builder has: segmenter, baseline, chunk size, progress.
 *
 * @param <B> the concrete builder
 */
abstract class SegmentOptions<B extends SegmentOptions<B>> {
    final InterpretableModel model;
    Segmenter segmenter = Segmenters.slic();
    Baseline baseline = Baselines.grey();
    boolean baselineGiven;
    int internalBatch = -1;
    ProgressListener progress;

    SegmentOptions(InterpretableModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        this.model = model;
    }

    abstract B self();

    /**
     * @param s how images are split into segments (default {@code Segmenters.slic()}: 50 SLIC superpixels)
     * @return this
     */
    public B segmenter(Segmenter s) {
        this.segmenter = s;
        return self();
    }

    /**
     * @param b what a removed segment shows (default {@code Baselines.grey()}: the model's neutral value)
     * @return this
     */
    public B baseline(Baseline b) {
        this.baseline = b;
        this.baselineGiven = true;
        return self();
    }

    /**
     * @param n most perturbed images per forward pass (default: the model's maxBatchSize)
     * @return this
     */
    public B maxBatchSize(int n) {
        this.internalBatch = n;
        return self();
    }

    /**
     * @param l told after each chunk of perturbed images (default: progress is only logged)
     * @return this
     */
    public B progress(ProgressListener l) {
        this.progress = l;
        return self();
    }

    void checkCommon() {
        SegmentAttribution.checkCommon(segmenter, baseline, internalBatch);
    }

    /** @return the shared options, fixed */
    SegmentSetup setup() {
        return new SegmentSetup(model, segmenter, baseline, internalBatch > 0 ? internalBatch : model.maxBatchSize(),
                progress);
    }
}
