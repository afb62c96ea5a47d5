package org.deeplearning4j.interpret.targets;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What scalar to explain, one value per example: a class logit or probability, a channel or a single neuron.
 * A target reads the activation of one layer and gives its value and its derivative there.
 */
public interface Target {

    /** @return the layer the target reads, or {@code null} for the model's output logits */
    String layer();

    /**
     * @param activation the layer's activation for a batch, shape {@code [N, ...]}
     * @return the objective per example, shape {@code [N]}
     */
    INDArray value(INDArray activation);

    /**
     * @param activation the layer's activation for a batch
     * @return {@code d value / d activation}, same shape as {@code activation}
     */
    INDArray gradient(INDArray activation);

    /** @return true when {@link #gradient(INDArray)} depends on the activation values (not only on its shape) */
    boolean gradientDependsOnActivation();

    /**
     * Checks that the target fits a layer's activation shape, before any computation.
     *
     * @param layerName the resolved layer name, for messages
     * @param activationShape the activation shape, batch dimension included
     * @throws IllegalArgumentException naming what was expected and what came
     */
    void validate(String layerName, long[] activationShape);

    /**
     * Checks that a per-example target fits the batch size, before the batch is split into chunks.
     *
     * @param batchSize examples in the batch
     * @throws IllegalArgumentException if the target holds a different number of per-example entries
     */
    default void validateBatch(long batchSize) {
    }

    /**
     * @param from first example (inclusive)
     * @param to last example (exclusive)
     * @return the target for a sub-batch (per-example targets are sliced; others return {@code this})
     */
    default Target slice(int from, int to) {
        return this;
    }

    /**
     * Pins anything resolved from the activation (e.g. the predicted class) so that perturbed inputs are scored for
     * the same unit as the original.
     *
     * @param activation the layer's activation on the original input
     * @return a target with nothing left to resolve
     */
    default Target fixedFor(INDArray activation) {
        return this;
    }

    /** @return a short human-readable description, e.g. {@code logit[class 3]} */
    String description();
}
