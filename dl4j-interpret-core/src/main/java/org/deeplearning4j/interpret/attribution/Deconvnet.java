package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Deconvnet attribution: the backward signal is passed through ReLUs as {@code relu(eps)} (ignoring which units were
 * active), through max-pooling by the forward pass's switches and through convolutions by their transposes. Runs
 * through the engine's {@link ReluRule#DECONVNET} rule; the user's model is unchanged.
 *
 * <p>Zeiler &amp; Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014,
 * <a href="https://arxiv.org/abs/1311.2901">arXiv:1311.2901</a>.
 *
 * <pre>{@code
 * AttributionResult r = Deconvnet.of(model).attribute(images, Targets.predicted());
 * }</pre>
 */
public final class Deconvnet implements Attribution {
    private final InterpretableModel model;
    private final ChannelReduction reduction;

    private Deconvnet(InterpretableModel model, ChannelReduction reduction) {
        if (model == null || reduction == null) {
            throw new IllegalArgumentException("model and reduction must not be null");
        }
        this.model = model;
        this.reduction = reduction;
    }

    /**
     * @param model the model
     * @return the method (map: max over channels of |attribution|)
     */
    public static Deconvnet of(InterpretableModel model) {
        return new Deconvnet(model, ChannelReduction.MAX_ABS);
    }

    /**
     * @param model the model
     * @param reduction map reduction
     * @return the method
     */
    public static Deconvnet of(InterpretableModel model, ChannelReduction reduction) {
        return new Deconvnet(model, reduction);
    }

    @Override
    public String name() {
        return "Deconvnet";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        return GuidedBackprop.ruleAttribution(model, input, target, ReluRule.DECONVNET, name(), reduction);
    }
}
