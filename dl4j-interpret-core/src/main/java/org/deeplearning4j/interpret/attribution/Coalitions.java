package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Evaluates the target on one image in which some segments are kept and the others replaced by the baseline:
 * {@code f(baseline + mask(z) * (x - baseline))} for coalitions {@code z} (one 0/1 flag per segment). Coalitions are
 * evaluated in chunks of at most {@code maxBatch} images, so memory is bounded by the chunk.
 */
final class Coalitions {
    private final InterpretableModel model;
    private final Target target;
    private final int maxBatch;
    private final ProgressTracker tracker;
    private final int segments;
    private final int channels;
    private final int height;
    private final int width;
    /** Row-major segment label of each pixel. */
    private final int[] labels;
    /** {@code [C, H*W]} each. */
    private final INDArray base;
    private final INDArray diff;
    private double empty = Double.NaN;

    /**
     * @param model the model
     * @param x one image {@code [1, C, H, W]}
     * @param baseline its baseline {@code [1, C, H, W]}
     * @param labels row-major segment labels of the image, {@code 0 .. segments - 1}
     * @param segments number of segments
     * @param target the pinned target of this image ({@code [1]})
     * @param maxBatch most images per forward pass
     * @param tracker advanced by the number of images evaluated
     */
    Coalitions(InterpretableModel model, INDArray x, INDArray baseline, int[] labels, int segments, Target target,
            int maxBatch, ProgressTracker tracker) {
        this.model = model;
        this.target = target;
        this.maxBatch = maxBatch;
        this.tracker = tracker;
        this.segments = segments;
        this.channels = (int) x.size(1);
        this.height = (int) x.size(2);
        this.width = (int) x.size(3);
        int hw = height * width;
        this.labels = labels.clone();
        this.base = baseline.reshape(channels, hw).dup();
        this.diff = x.reshape(channels, hw).sub(base);
    }

    /** @return the number of segments */
    int segments() {
        return segments;
    }

    /** @return the target's value on the baseline (every segment removed), evaluated once */
    double empty() {
        if (Double.isNaN(empty)) {
            empty = values(new double[][] {new double[segments]})[0];
        }
        return empty;
    }

    /** Writes coalition {@code index} into {@code row} (one 0/1 flag per segment, zeroed beforehand). */
    interface Rows {
        void fill(int index, double[] row);
    }

    /**
     * @param keep one row per coalition, one 0/1 flag per segment (1: the segment keeps the image's pixels)
     * @return the target's value for each coalition
     */
    double[] values(double[][] keep) {
        return values(keep.length, (j, row) -> System.arraycopy(keep[j], 0, row, 0, segments));
    }

    /**
     * @param count number of coalitions
     * @param rows writes each coalition when its chunk is built (only a chunk of coalitions exists at once)
     * @return the target's value for each coalition
     */
    double[] values(int count, Rows rows) {
        double[] out = new double[count];
        double[] row = new double[segments];
        int hw = height * width;
        for (int start = 0; start < count; start += maxBatch) {
            int k = Math.min(maxBatch, count - start);
            double[] mask = new double[k * hw];
            for (int j = 0; j < k; j++) {
                java.util.Arrays.fill(row, 0);
                rows.fill(start + j, row);
                for (int p = 0; p < hw; p++) {
                    mask[j * hw + p] = row[labels[p]];
                }
            }
            INDArray masks = Nd4j.createFromArray(mask).reshape(k, hw).castTo(base.dataType());
            INDArray batch = Nd4j.create(base.dataType(), k, channels, height, width);
            for (int c = 0; c < channels; c++) {
                INDArray img = masks.mulRowVector(diff.getRow(c)).addiRowVector(base.getRow(c));
                batch.get(NDArrayIndex.all(), NDArrayIndex.point(c)).assign(img.reshape(k, height, width));
            }
            INDArray v = model.values(batch, target);
            for (int j = 0; j < k; j++) {
                out[start + j] = v.getDouble(j);
            }
            tracker.advance(k);
        }
        return out;
    }
}
