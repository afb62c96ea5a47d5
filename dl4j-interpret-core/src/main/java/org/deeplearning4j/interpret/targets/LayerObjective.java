package org.deeplearning4j.interpret.targets;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * A scalar per example computed from the activations of one or more layers, differentiated in a single backward
 * pass: the form of feature-visualization objectives (e.g. a channel plus a diversity term at another layer).
 * Unlike a {@link Target}, its value may couple the examples of a batch (diversity), so the model evaluates it on the
 * whole batch and splits only the network passes into chunks.
 *
 * <p>Layer names are concrete (the model's output layer by its name); the model resolves and validates them before
 * calling {@link #validate(Map)}.
 */
public interface LayerObjective {

    /** @return the distinct layers read, in any order */
    List<String> layers();

    /** @return true when the gradient depends on activation values, not only on their shapes */
    boolean gradientDependsOnActivations();

    /**
     * @param shapes activation shape of every layer in {@link #layers()}, batch dimension included
     * @throws IllegalArgumentException naming what was expected and what came
     */
    void validate(Map<String, long[]> shapes);

    /**
     * @param activations activation of every layer in {@link #layers()}, whole batch
     * @return the objective per example, shape {@code [N]}
     */
    INDArray value(Map<String, INDArray> activations);

    /**
     * @param activations activation of every layer in {@link #layers()}, whole batch
     * @return {@code d sum(value) / d activation} per layer; a layer may be missing when its seed is zero
     */
    Map<String, INDArray> gradient(Map<String, INDArray> activations);

    /**
     * When the gradient is affine in the activations, {@code d/dA_l = scale_l * A_l + offset_l} with a scalar scale per
     * layer (e.g. DeepDream's {@code 2 A / n}), the model computes it inside the gradient pass instead of running a
     * forward pass first; the offsets are {@link #gradient(Map)} of zero activations.
     *
     * @param shapes activation shape of every layer, batch dimension included
     * @return the scale per layer (layers not listed have scale 0), or null when the gradient is not affine
     */
    default Map<String, Double> affineSeedScales(Map<String, long[]> shapes) {
        return null;
    }
}
