package org.deeplearning4j.interpret.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The objective value per example and its gradient with respect to the input, with the activations the objective
 * read (for a multi-layer objective). Arrays are owned by this object.
 */
public final class ObjectiveGradient {
    private final INDArray values;
    private final INDArray gradient;
    private final Map<String, INDArray> activations;

    /**
     * @param values the objective per example
     * @param gradient its gradient with respect to the input, shaped like the input
     */
    public ObjectiveGradient(INDArray values, INDArray gradient) {
        this(values, gradient, Map.of());
    }

    /**
     * @param values the objective per example
     * @param gradient its gradient with respect to the input, shaped like the input
     * @param activations the activations of the layers the objective read, whole batch, keyed by layer
     */
    public ObjectiveGradient(INDArray values, INDArray gradient, Map<String, INDArray> activations) {
        this.values = values;
        this.gradient = gradient;
        this.activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
    }

    /** @return the activations the objective read, keyed by layer (empty for a single-layer target) */
    public Map<String, INDArray> activations() {
        return activations;
    }

    /** @return the objective per example, shape {@code [N]} */
    public INDArray values() {
        return values;
    }

    /** @return {@code d objective / d input}, shape {@code [N, C, H, W]} */
    public INDArray gradient() {
        return gradient;
    }
}
