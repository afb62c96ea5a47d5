package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.segmentation.Segmentation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The scores that a segment-level method (LIME, KernelSHAP, Shapley value sampling, feature ablation) gave to each
 * segment of each example, with the segmentation they refer to. Immutable.
 */
public final class SegmentScores {
    private final Segmentation segmentation;
    private final double[][] scores;

    /**
     * @param segmentation the segmentation (shared by the batch, or one per example)
     * @param scores one score per segment, per example
     */
    public SegmentScores(Segmentation segmentation, double[][] scores) {
        if (segmentation == null || scores == null) {
            throw new IllegalArgumentException("segmentation and scores must not be null");
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] == null || scores[i].length != segmentation.segmentsFor(i)) {
                throw new IllegalArgumentException("example " + i + " has " + (scores[i] == null ? 0
                        : scores[i].length) + " scores for " + segmentation.segmentsFor(i) + " segments");
            }
        }
        this.segmentation = segmentation;
        this.scores = new double[scores.length][];
        for (int i = 0; i < scores.length; i++) {
            this.scores[i] = scores[i].clone();
        }
    }

    /** @return the segmentation the scores refer to */
    public Segmentation segmentation() {
        return segmentation;
    }

    /** @return the number of examples */
    public int size() {
        return scores.length;
    }

    /**
     * @param example example index
     * @return one score per segment (label order), a copy
     */
    public double[] scores(int example) {
        return scores[example].clone();
    }

    /**
     * @param example example index
     * @return the labels of that example's segments, row-major
     */
    public int[] labels(int example) {
        return segmentation.labelsFor(example);
    }

    /**
     * @param example example index
     * @return the segments from most to least important (highest score first)
     */
    public int[] ranking(int example) {
        double[] s = scores[example];
        return java.util.stream.IntStream.range(0, s.length).boxed()
                .sorted((a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param example example index
     * @return the scores as a vector {@code [segments]}
     */
    public INDArray scoresArray(int example) {
        return Nd4j.createFromArray(scores[example].clone());
    }
}
