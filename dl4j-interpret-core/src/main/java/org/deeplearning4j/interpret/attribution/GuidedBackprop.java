package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.ObjectiveGradient;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Guided backpropagation: the input gradient with every rectifier's backward pass replaced by
 * {@code f'(z) * relu(eps)} (for ReLU: {@code relu(eps) * (z > 0)}), so only positive evidence through active units
 * flows back. The rule acts at ReLU, ReLU6, leaky ReLU, RReLU, ELU, SELU and thresholded ReLU; other activations keep
 * their true derivative (listed in the result's options), and a model without any rectifier is refused. Runs through the engine's
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
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GuidedBackprop.class);
    private final InterpretableModel model;
    private final ChannelReduction reduction;

    private GuidedBackprop(InterpretableModel model, ChannelReduction reduction) {
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
    public static GuidedBackprop of(InterpretableModel model) {
        return new GuidedBackprop(model, ChannelReduction.MAX_ABS);
    }

    /**
     * @param model the model
     * @param reduction map reduction
     * @return the method
     */
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
        org.deeplearning4j.interpret.gradient.ReluRuleCoverage coverage = model.spi().reluRuleCoverage();
        if (coverage.applied().isEmpty()) {
            throw new org.deeplearning4j.interpret.InterpretException(name + " needs rectifier activations (ReLU, "
                    + "ReLU6, leaky ReLU, RReLU, ELU, SELU, thresholded ReLU), where its backward rule acts; this "
                    + "model has none (its non-linear layers: " + coverage.exact() + "), so the result would be the "
                    + "plain gradient under another name. Use Saliency, GradientXInput or IntegratedGradients, which "
                    + "work with any activation.");
        }
        if (!coverage.exact().isEmpty()) {
            log.info("{}: the {} rule acts at {}; these keep their true derivative: {}", name, rule,
                    coverage.applied(), coverage.exact());
        }
        INDArray x = model.spi().prepareInput(input);
        Target fixed = PinnedTarget.of(model, x, target).target;
        ObjectiveGradient g = model.gradient(x, fixed, rule);
        Map<String, String> opts = new java.util.LinkedHashMap<>();
        opts.put("reluRule", rule.name());
        opts.put("channelReduction", reduction.name());
        opts.put("ruleAppliedAt", String.join(", ", coverage.applied()));
        opts.put("trueDerivativeAt", String.join(", ", coverage.exact()));
        return new AttributionResult(name, fixed.description(), opts, g.gradient(), reduction.reduce(g.gradient()),
                g.values(), reduction.isSigned());
    }
}
