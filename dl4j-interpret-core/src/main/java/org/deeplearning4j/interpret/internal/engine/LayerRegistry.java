package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layer types the engines know, each with its {@link LayerRules} and its catalogue note, in catalogue order:
 * the one list a new layer type is added to. Matching is by exact configuration class (a subclass is another layer).
 * {@link org.deeplearning4j.interpret.gradient.LayerCatalogue} publishes it; where a type runs (fast path, DL4J's
 * layers, refused) follows from its rules.
 */
public final class LayerRegistry {
    /**
     * One layer type.
     *
     * @param type the DL4J configuration class
     * @param rules what the engines know about it
     * @param note conditions and variants for the catalogue (for refused types: the reason)
     */
    public record Registration(Class<? extends Layer> type, LayerRules<?> rules, String note) {
    }

    private static final Map<Class<?>, Registration> BY_TYPE = new LinkedHashMap<>();

    static {
        add(ConvolutionLayer.class, ConvolutionRules.STANDARD, "same, truncate and strict modes, any stride and "
                + "padding; dilated convolutions run on DL4J's layers (oneDNN in the M2.1 CPU build rejects some "
                + "dilated descriptors); causal mode is 1-D only in DL4J");
        add(Convolution2D.class, ConvolutionRules.STANDARD, "as ConvolutionLayer");
        add(Deconvolution2D.class, ConvolutionRules.TRANSPOSED, "");
        add(DepthwiseConvolution2D.class, ConvolutionRules.DEPTHWISE, "");
        add(SeparableConvolution2D.class, ConvolutionRules.SEPARABLE, "");
        add(SubsamplingLayer.class, SubsamplingRules.INSTANCE, "max and average; p-norm on DL4J's layers; max pooling "
                + "splits the gradient equally among tied maxima on every engine");
        add(Upsampling2D.class, ReshapingRules.UPSAMPLING, "");
        add(Cropping2D.class, ReshapingRules.CROPPING, "");
        add(ZeroPaddingLayer.class, ReshapingRules.ZERO_PADDING, "");
        add(SpaceToDepthLayer.class, OtherLayerRules.SPACE_TO_DEPTH, "");
        add(PReLULayer.class, PReLURules.INSTANCE, "true derivative under every ReLU rule (the rules are not applied "
                + "to learned slopes)");
        add(BatchNormalization.class, BatchNormRules.INSTANCE, "inference statistics in the backward pass too");
        add(LocalResponseNormalization.class, OtherLayerRules.LOCAL_RESPONSE_NORMALIZATION, "");
        add(DropoutLayer.class, PassThroughRules.DROPOUT, "identity (inference)");
        add(DenseLayer.class, DenseRules.DENSE, "");
        add(OutputLayer.class, DenseRules.OUTPUT, "exposed as pre-activation logits");
        add(LossLayer.class, PassThroughRules.LOSS, "exposed as pre-activation logits");
        add(CenterLossOutputLayer.class, DenseRules.CENTER_LOSS_OUTPUT, "exposed as pre-activation logits");
        add(GlobalPoolingLayer.class, GlobalPoolingRules.INSTANCE, "max, average and sum; p-norm on DL4J's layers; max "
                + "splits the gradient equally among tied maxima");
        add(ActivationLayer.class, ActivationLayerRules.INSTANCE, "every activation below; the fast path runs "
                + "identity, ReLU, leaky ReLU, sigmoid, tanh, softmax and ELU (alpha 1)");
        add(FrozenLayer.class, OtherLayerRules.FROZEN, "the wrapped layer must be in the catalogue");
        add(FrozenLayerWithBackprop.class, OtherLayerRules.FROZEN, "the wrapped layer must be in the catalogue");
        add(LocallyConnected2D.class, OtherLayerRules.refused("DL4J 1.0.0-M2.1's backprop returns input gradients "
                + "exactly 2x the true ones, so every gradient map would be silently doubled"), "");
        add(SpaceToBatchLayer.class, OtherLayerRules.refused("moves pixels into the batch dimension, so examples are "
                + "no longer independent and per-example attributions are undefined"), "");
    }

    private LayerRegistry() {
    }

    private static void add(Class<? extends Layer> type, LayerRules<?> rules, String note) {
        BY_TYPE.put(type, new Registration(type, rules, note));
    }

    /** @return every registered layer type, in catalogue order */
    public static List<Registration> registrations() {
        return new ArrayList<>(BY_TYPE.values());
    }

    /**
     * @param conf a layer configuration
     * @param <C> its type
     * @return the rules of its exact class, or null for an unregistered type
     */
    @SuppressWarnings("unchecked")
    public static <C extends Layer> LayerRules<C> rules(C conf) {
        Registration r = conf == null ? null : BY_TYPE.get(conf.getClass());
        return r == null ? null : (LayerRules<C>) r.rules();
    }
}
