package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.gradient.LrpRule;
import org.deeplearning4j.interpret.internal.engine.RuleWalker;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Layer-wise relevance propagation: the target's value is redistributed layer by layer back to the input, each
 * layer by the rule its {@link LrpComposite} gives it ({@link LrpRule}: epsilon, gamma, alpha-beta, z+, z^B, flat,
 * w-square). Relevance is conserved where the rules conserve it: the map sums to the target's logit, less what
 * biases and stabilisers absorb, which the result reports as its convergence delta
 * ({@code sum(relevance) - target value}). Runs on MultiLayerNetworks and ComputationGraphs, whichever gradient
 * engine they use, and on SameDiff graphs, whose parameter layers are their convolution ({@code conv2d}) and matrix
 * product ({@code matmul}, {@code xw_plus_b}) ops, named by their output; batch normalization, bias and scaling
 * after such a layer are folded into it. A graph and the equivalent ComputationGraph give the same maps for every
 * composite; ops a rule cannot change (transposed or depthwise convolutions) are refused for every composite but
 * the uniform epsilon one.
 *
 * <p>Bach, Binder, Montavon, Klauschen, M&uuml;ller &amp; Samek, "On Pixel-Wise Explanations for Non-Linear
 * Classifier Decisions by Layer-Wise Relevance Propagation", PLoS ONE 10(7), 2015; Montavon, Binder, Lapuschkin,
 * Samek &amp; M&uuml;ller, "Layer-Wise Relevance Propagation: An Overview", in Explainable AI, LNCS 11700, 2019.
 *
 * <pre>{@code
 * AttributionResult r = Lrp.builder(model).composite(LrpComposite.montavon(0, 1)).build()
 *         .attribute(images, Targets.predicted());
 * }</pre>
 */
public final class Lrp implements Attribution {
    /** The default composite: LRP-epsilon 1e-6 everywhere. */
    public static final LrpComposite DEFAULT_COMPOSITE = LrpComposite.uniform(LrpRule.epsilon(1e-6));

    private final InterpretableModel model;
    private final LrpComposite composite;
    private final ChannelReduction reduction;

    private Lrp(Builder b) {
        this.model = b.model;
        this.composite = b.composite;
        this.reduction = b.reduction;
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    /**
     * @param model the model
     * @return LRP with {@link #DEFAULT_COMPOSITE}
     */
    public static Lrp of(InterpretableModel model) {
        return builder(model).build();
    }

    @Override
    public String name() {
        return "LRP";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        RuleWalker.Walk w = model.spi().lrp(input, target, composite);
        INDArray sums = w.attributions.reshape(w.attributions.size(0), -1).sum(1);
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("composite", composite.toString());
        opts.put("channelReduction", reduction.name());
        return new AttributionResult(name(), target.description(), opts, w.attributions,
                reduction.reduce(w.attributions), w.values, reduction.isSigned(), sums.sub(w.values));
    }

    /** Options. */
    public static final class Builder {
        private final InterpretableModel model;
        private LrpComposite composite = DEFAULT_COMPOSITE;
        private ChannelReduction reduction = ChannelReduction.SUM;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param c the rule of each layer (default {@link #DEFAULT_COMPOSITE})
         * @return this
         */
        public Builder composite(LrpComposite c) {
            if (c == null) {
                throw new IllegalArgumentException("composite is null");
            }
            this.composite = c;
            return this;
        }

        /**
         * @param rule one rule for every layer
         * @return this
         */
        public Builder rule(LrpRule rule) {
            return composite(LrpComposite.uniform(rule));
        }

        /**
         * @param r how channels are combined into the map (default the signed sum)
         * @return this
         */
        public Builder channelReduction(ChannelReduction r) {
            if (r == null) {
                throw new IllegalArgumentException("channel reduction is null");
            }
            this.reduction = r;
            return this;
        }

        /** @return the method */
        public Lrp build() {
            return new Lrp(this);
        }
    }
}
