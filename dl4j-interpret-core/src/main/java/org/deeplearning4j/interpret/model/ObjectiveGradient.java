package org.deeplearning4j.interpret.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The objective value per example and its gradient with respect to the input. Arrays are owned by this object. */
public final class ObjectiveGradient {
    private final INDArray values;
    private final INDArray gradient;

    /**
     * @param values the objective per example
     * @param gradient its gradient with respect to the input, shaped like the input
     */
    public ObjectiveGradient(INDArray values, INDArray gradient) {
        this.values = values;
        this.gradient = gradient;
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
