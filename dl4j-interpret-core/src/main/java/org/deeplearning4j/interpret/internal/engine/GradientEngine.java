package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The one gradient engine every method stands on: forward activations at named layers, and vector-Jacobian products
 * from any named layer back to the input. Implementations never change the model they analyse.
 *
 * <p>Output layers are exposed by their <b>pre-activation logits</b>: the activation reported for the model's output
 * layer is the logit array, and a seed given there is {@code d objective / d logits}.
 */
public interface GradientEngine {

    /**
     * Runs an inference forward pass.
     *
     * @param input NCHW input batch, already validated and in the model's data type
     * @param layers names of the layers whose activations to return
     * @return detached copies of the activations, keyed by layer name
     */
    Map<String, INDArray> forward(INDArray input, Collection<String> layers);

    /**
     * Computes the input gradient of {@code sum_i sum(activation(seeds[i].layer) * seed_i)}: one backward pass for an
     * objective that reads one layer or several.
     *
     * @param input NCHW input batch
     * @param seeds one seed per distinct layer; affine seeds only where {@link #affineSeeds()}
     * @param rule the ReLU backward rule
     * @return the seeded layers' activations and the input gradient
     */
    InputPass inputGradient(INDArray input, List<Seed> seeds, ReluRule rule);

    /** @return true when {@link #inputGradient} completes affine seeds inside the pass; else callers give constants */
    default boolean affineSeeds() {
        return true;
    }

    /**
     * Computes the gradient of {@code sum(activation(layer) * seed)} with respect to the activation of
     * {@code wrtLayer}, optionally with {@code wrtLayer}'s activation replaced by {@code override} (every other
     * path, e.g. a skip connection around it, still starts from {@code input}).
     *
     * @param input NCHW input batch
     * @param layer the layer at which the seed is given
     * @param seed {@code d objective / d activation(layer)}
     * @param wrtLayer the layer to differentiate with respect to (upstream of {@code layer}, or {@code layer})
     * @param override replacement activation for {@code wrtLayer}, or null to compute it from the input
     * @param rule the ReLU backward rule
     * @return the activations of {@code layer} and {@code wrtLayer} (the override if given) and the gradient
     */
    LayerPass layerGradient(INDArray input, String layer, INDArray seed, String wrtLayer, INDArray override,
            ReluRule rule);

    /**
     * Forward pass with one layer's activation replaced.
     *
     * @param input NCHW input batch
     * @param layers layers whose activations to return
     * @param overrideLayer the layer whose activation is replaced
     * @param override the replacement activation
     * @return detached activations keyed by layer name
     */
    Map<String, INDArray> forward(INDArray input, Collection<String> layers, String overrideLayer, INDArray override);

    /** @return a short name of the execution path, e.g. "samediff" or "dl4j-layers" */
    String name();

    /** @return names of the layers that forced this engine (empty for the fast path) */
    List<String> unsupportedLayers();
}
