package org.deeplearning4j.interpret.gradient;

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
     * Computes {@code J^T seed}, the gradient with respect to the input of {@code sum(activation(layer) * seed)}.
     *
     * @param input NCHW input batch
     * @param layer the layer at which the seed is given
     * @param seed {@code d objective / d activation}, same shape as the layer's activation
     * @param rule the ReLU backward rule
     * @return element 0: the layer's activation (detached); element 1: the input gradient, same shape as
     *         {@code input}
     */
    INDArray[] inputGradient(INDArray input, String layer, INDArray seed, ReluRule rule);

    /**
     * Computes the input gradient of {@code sum_i sum(activation(layers[i]) * seeds[i])}: one backward pass for an
     * objective that reads several layers.
     *
     * @param input NCHW input batch
     * @param layers distinct layer names
     * @param seeds one seed per layer, each shaped like that layer's activation
     * @param rule the ReLU backward rule
     * @return the activations of {@code layers} (detached, in order), then the input gradient
     */
    INDArray[] inputGradient(INDArray input, List<String> layers, List<INDArray> seeds, ReluRule rule);

    /**
     * As {@link #inputGradient(INDArray, List, List, ReluRule)} with seeds affine in the activations:
     * {@code seed_i = scales[i] * activation(layers[i]) + offsets[i]}, computed inside the same pass.
     *
     * @param input NCHW input batch
     * @param layers distinct layer names
     * @param offsets one offset per layer, shaped like that layer's activation
     * @param scales one scalar per layer
     * @param rule the ReLU backward rule
     * @return the activations of {@code layers} (detached, in order), then the input gradient
     */
    INDArray[] inputGradient(INDArray input, List<String> layers, List<INDArray> offsets, double[] scales,
            ReluRule rule);

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
     * @return element 0: activation of {@code layer}; 1: activation of {@code wrtLayer} (the override if given);
     *         2: the gradient, same shape as element 1
     */
    INDArray[] layerGradient(INDArray input, String layer, INDArray seed, String wrtLayer, INDArray override,
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
