package org.deeplearning4j.interpret.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A target's value, a hidden layer's activation and the target's gradient with respect to that activation. */
public final class LayerGradient {
    private final INDArray values;
    private final INDArray activation;
    private final INDArray gradient;

    LayerGradient(INDArray values, INDArray activation, INDArray gradient) {
        this.values = values;
        this.activation = activation;
        this.gradient = gradient;
    }

    /** @return the target per example, shape {@code [N]} */
    public INDArray values() {
        return values;
    }

    /** @return the layer's activation (or the override that replaced it), shape {@code [N, ...]} */
    public INDArray activation() {
        return activation;
    }

    /** @return {@code d target / d activation}, same shape as {@link #activation()} */
    public INDArray gradient() {
        return gradient;
    }
}
