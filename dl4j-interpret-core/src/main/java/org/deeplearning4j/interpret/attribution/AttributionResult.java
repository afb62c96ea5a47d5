package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.io.Npy;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable attribution: the raw per-input-element array (NCHW), the per-pixel map, the target values, and how it
 * was made (method, target, options). Arrays are copied on the way in and out.
 */
public final class AttributionResult {
    private final String method;
    private final String target;
    private final Map<String, String> options;
    private final INDArray attributions;
    private final INDArray map;
    private final INDArray targetValues;
    private final boolean signed;
    private final INDArray convergenceDelta;
    private final SegmentScores segments;

    /**
     * @param method method name
     * @param target target description
     * @param options the options used, for provenance
     * @param attributions raw attribution, {@code [N, C, H, W]}
     * @param map per-pixel map, {@code [N, H, W]}
     * @param targetValues the target's value per example on the unmodified input, {@code [N]}
     * @param signed whether the map can be negative (render with a diverging colormap)
     */
    public AttributionResult(String method, String target, Map<String, String> options, INDArray attributions,
            INDArray map, INDArray targetValues, boolean signed) {
        this(method, target, options, attributions, map, targetValues, signed, null);
    }

    /**
     * @param method method name
     * @param target target description
     * @param options the options used, for provenance
     * @param attributions raw attribution, {@code [N, C, H, W]} (layer methods: the layer's {@code [N, K, h, w]})
     * @param map per-pixel map, {@code [N, H, W]}
     * @param targetValues the target's value per example on the unmodified input, {@code [N]}
     * @param signed whether the map can be negative
     * @param convergenceDelta per-example completeness gap {@code sum(attributions) - (f(x) - f(baseline))}, or null
     */
    public AttributionResult(String method, String target, Map<String, String> options, INDArray attributions,
            INDArray map, INDArray targetValues, boolean signed, INDArray convergenceDelta) {
        this(method, target, options, attributions, map, targetValues, signed, convergenceDelta, null);
    }

    /**
     * @param method method name
     * @param target target description
     * @param options the options used, for provenance
     * @param attributions raw attribution, {@code [N, C, H, W]}
     * @param map per-pixel map, {@code [N, H, W]}
     * @param targetValues the target's value per example on the unmodified input, {@code [N]}
     * @param signed whether the map can be negative
     * @param convergenceDelta per-example completeness gap {@code sum(attributions) - (f(x) - f(baseline))}, or null
     * @param segments for segment-level methods, each segment's score and the segmentation; or null
     */
    public AttributionResult(String method, String target, Map<String, String> options, INDArray attributions,
            INDArray map, INDArray targetValues, boolean signed, INDArray convergenceDelta, SegmentScores segments) {
        if (attributions.rank() != 4 || map.rank() != 3 || map.size(0) != attributions.size(0)) {
            throw new IllegalArgumentException("attributions must be [N,C,H,W] and map [N,H,W]");
        }
        this.method = method;
        this.target = target;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.attributions = attributions.dup();
        this.map = map.dup();
        this.targetValues = targetValues.dup();
        this.signed = signed;
        this.convergenceDelta = convergenceDelta == null ? null : convergenceDelta.dup();
        this.segments = segments;
    }

    /**
     * @return for segment-level methods (LIME, KernelSHAP, Shapley value sampling, feature ablation), each segment's
     *         score and the segmentation; empty for other methods
     */
    public java.util.Optional<SegmentScores> segments() {
        return java.util.Optional.ofNullable(segments);
    }

    /**
     * @return for path and Shapley methods (integrated gradients, GradientSHAP, KernelSHAP, Shapley value sampling),
     *         the per-example completeness gap
     *         {@code sum(attributions) - (f(x) - f(baseline))}, shape {@code [N]}; empty for other methods
     */
    public java.util.Optional<INDArray> convergenceDelta() {
        return convergenceDelta == null ? java.util.Optional.empty() : java.util.Optional.of(convergenceDelta.dup());
    }

    /** @return per-channel totals of the attribution (sum over positions), shape {@code [N, C]} */
    public INDArray channelTotals() {
        return attributions.sum(2, 3);
    }

    /** @return the method name */
    public String method() {
        return method;
    }

    /** @return the target description */
    public String target() {
        return target;
    }

    /** @return the options used (read-only) */
    public Map<String, String> options() {
        return options;
    }

    /** @return a copy of the raw attribution {@code [N, C, H, W]} */
    public INDArray attributions() {
        return attributions.dup();
    }

    /** @return a copy of the per-pixel map {@code [N, H, W]} */
    public INDArray map() {
        return map.dup();
    }

    /**
     * @param example index in the batch
     * @return a copy of one example's map {@code [H, W]}
     */
    public INDArray map(int example) {
        return map.slice(example).dup();
    }

    /** @return a copy of the target values {@code [N]} on the unmodified input */
    public INDArray targetValues() {
        return targetValues.dup();
    }

    /** @return the number of examples */
    public int size() {
        return (int) map.size(0);
    }

    /** @return true if the map is signed */
    public boolean isSigned() {
        return signed;
    }

    /**
     * Writes the raw attribution as a NumPy {@code .npy} file ({@code numpy.load} reads it).
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void saveAttributionsNpy(File file) throws IOException {
        Npy.write(attributions, file);
    }

    /**
     * Writes the per-pixel map as a NumPy {@code .npy} file.
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void saveMapNpy(File file) throws IOException {
        Npy.write(map, file);
    }

    @Override
    public String toString() {
        return method + "[" + target + ", " + options + ", " + java.util.Arrays.toString(attributions.shape()) + "]";
    }
}
