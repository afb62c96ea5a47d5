package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.segmentation.Segmentation;
import org.deeplearning4j.interpret.segmentation.Segmenter;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the segment-level methods share: the input, target, segmentation and baseline are checked before any work;
 * each image's coalitions are evaluated in bounded chunks with progress; the scores become the result.
 *
 * <p>In the result each pixel of the {@code map} shows its segment's score (as Captum and LIME draw it), while the
 * raw {@code attributions} spread each score evenly over its segment's pixels and channels, so that they sum to the
 * segment scores (completeness and infidelity read sums); {@link AttributionResult#segments()} has the scores.
 */
final class SegmentAttribution {
    /** Scores the segments of one image. */
    interface Scorer {
        /**
         * @param coalitions evaluates the image with segments kept or removed
         * @param fx the target's value on the unmodified image
         * @return one score per segment
         */
        double[] score(Coalitions coalitions, double fx);
    }

    /** How many images a method evaluates for an image with {@code segments} segments (for progress). */
    interface Cost {
        long evaluations(int segments);
    }

    private SegmentAttribution() {
    }

    /**
     * @param efficiency whether the scores should sum to {@code f(x) - f(baseline)} (Shapley methods): reported as
     *        the convergence delta
     */
    static AttributionResult run(String method, Logger log, SegmentSetup setup, INDArray input, Target target,
            Map<String, String> options, Cost cost, boolean efficiency, Scorer scorer) {
        InterpretableModel model = setup.model();
        Segmenter segmenter = setup.segmenter();
        Baseline baseline = setup.baseline();
        INDArray x = model.spi().prepareInput(input);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        Segmentation seg = segmenter.segment(x);
        seg.checkFits(n, h, w);
        INDArray x0 = baseline.create(x, model);
        if (!Arrays.equals(x0.shape(), x.shape())) {
            throw new IllegalArgumentException("Baseline '" + baseline.description() + "' has shape "
                    + Arrays.toString(x0.shape()) + ", expected " + Arrays.toString(x.shape()));
        }
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += cost.evaluations(seg.segmentsFor(i)) + (efficiency ? 1 : 0);
        }
        ProgressTracker tracker = new ProgressTracker(log, method + " (perturbed images)", total, setup.progress());
        INDArray attr = Nd4j.create(x.dataType(), n, c, h, w);
        INDArray map = Nd4j.create(x.dataType(), n, h, w);
        INDArray delta = efficiency ? Nd4j.create(x.dataType(), n) : null;
        double[][] scores = new double[n][];
        for (int i = 0; i < n; i++) {
            int[] labels = seg.labelsFor(i);
            int g = seg.segmentsFor(i);
            Coalitions coalitions = new Coalitions(model, x.get(NDArrayIndex.interval(i, i + 1)),
                    x0.get(NDArrayIndex.interval(i, i + 1)), labels, g, pinned.target.slice(i, i + 1),
                    setup.maxBatch(), tracker);
            double fx = pinned.values.getDouble(i);
            double[] s = scorer.score(coalitions, fx);
            scores[i] = s;
            int[] pixels = new int[g];
            for (int l : labels) {
                pixels[l]++;
            }
            double[] m = new double[h * w];
            double[] a = new double[h * w];
            for (int p = 0; p < h * w; p++) {
                m[p] = s[labels[p]];
                a[p] = s[labels[p]] / ((double) pixels[labels[p]] * c);
            }
            map.get(NDArrayIndex.point(i)).assign(Nd4j.createFromArray(m).reshape(h, w).castTo(x.dataType()));
            INDArray ai = Nd4j.createFromArray(a).reshape(h, w).castTo(x.dataType());
            for (int ch = 0; ch < c; ch++) {
                attr.get(NDArrayIndex.point(i), NDArrayIndex.point(ch)).assign(ai);
            }
            if (efficiency) {
                delta.putScalar(i, Arrays.stream(s).sum() - (fx - coalitions.empty()));
            }
        }
        Map<String, String> opts = new LinkedHashMap<>(options);
        opts.put("segmentation", seg.description());
        opts.put("baseline", baseline.description());
        return new AttributionResult(method, pinned.target.description(), opts, attr, map, pinned.values, true, delta,
                new SegmentScores(seg, scores));
    }

    /** Checks the options every segment-level method has. */
    static void checkCommon(Segmenter segmenter, Baseline baseline, int maxBatch) {
        if (segmenter == null) {
            throw new IllegalArgumentException("segmenter is null; e.g. Segmenters.slic() or Segmenters.grid(8, 8)");
        }
        if (baseline == null) {
            throw new IllegalArgumentException("baseline is null; e.g. Baselines.grey() (the model's neutral value)");
        }
        if (maxBatch == 0 || maxBatch < -1) {
            throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatch);
        }
    }
}
