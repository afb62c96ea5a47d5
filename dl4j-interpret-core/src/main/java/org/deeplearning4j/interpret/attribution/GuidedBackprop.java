package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.ObjectiveGradient;
import org.deeplearning4j.interpret.target.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Guided backpropagation: the input gradient with every ReLU's backward pass replaced by
 * {@code relu(eps) * (z > 0)}, so only positive evidence through active units flows back. Runs through the engine's
 * {@link ReluRule#GUIDED} rule on private analysis copies; the user's model and its forward outputs are unchanged.
 *
 * <p>Springenberg, Dosovitskiy, Brox &amp; Riedmiller, "Striving for Simplicity: The All Convolutional Net", 2015,
 * <a href="https://arxiv.org/abs/1412.6806">arXiv:1412.6806</a>.
 *
 * <pre>{@code
 * AttributionResult r = GuidedBackprop.of(model).attribute(images, Targets.predicted());
 * }</pre>
 */
public final class GuidedBackprop implements Attribution {
    private final InterpretableModel model;
    private final ChannelReduction reduction;

    private GuidedBackprop(InterpretableModel model, ChannelReduction reduction) {
        if (model == null || reduction == null) {
            throw new IllegalArgumentException("model and reduction must not be null");
        }
        this.model = model;
        this.reduction = reduction;
    }

    /** @param model the model @return the method (map: max over channels of |attribution|) */
    public static GuidedBackprop of(InterpretableModel model) {
        return new GuidedBackprop(model, ChannelReduction.MAX_ABS);
    }

    /** @param model the model @param reduction map reduction @return the method */
    public static GuidedBackprop of(InterpretableModel model, ChannelReduction reduction) {
        return new GuidedBackprop(model, reduction);
    }

    @Override
    public String name() {
        return "GuidedBackprop";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        return ruleAttribution(model, input, target, ReluRule.GUIDED, name(), reduction);
    }

    static AttributionResult ruleAttribution(InterpretableModel model, INDArray input, Target target, ReluRule rule,
            String name, ChannelReduction reduction) {
        INDArray x = model.prepareInput(input);
        Target fixed = PinnedTarget.of(model, x, target).target;
        ObjectiveGradient g = model.gradient(x, fixed, rule);
        return new AttributionResult(name, fixed.description(), Map.of("reluRule", rule.name(), "channelReduction",
                reduction.name()), g.gradient(), reduction.reduce(g.gradient()), g.values(), reduction.isSigned());
    }
}
