package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.engine.RuleWalker;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DeepLIFT with the Rescale rule: each input's contribution to the change of the target between a reference input
 * and the input, {@code (x - x0) * m}, where the multipliers {@code m} are propagated like gradients except at
 * non-linearities, which use the secant slope {@code (f(z) - f(z0)) / (z - z0)} between the two passes. The
 * contributions sum to {@code f(x) - f(x0)} (summation-to-delta); the result's convergence delta reports the
 * remainder, which is zero up to rounding except where a max-pooling window's maximum is at another place for the
 * input than for the reference (max pooling passes multipliers as gradients, DeepLIFT's own choice). With several
 * baselines the contributions are averaged (DeepLIFT-SHAP, see {@link DeepLiftShap}). {@link Rule#REVEAL_CANCEL}
 * keeps positive and negative differences apart, on every model type; where its parts no longer add up to the
 * target's change (a gap over {@link #CANCELLATION_LIMIT} times the change: parts grown beyond FP32's precision in
 * deep networks) the result is refused. Runs on MultiLayerNetworks and
 * ComputationGraphs (see
 * {@link org.deeplearning4j.interpret.internal.engine.RuleWalker} for the rule of each layer type) and on SameDiff graphs
 * (one reverse pass over the batch [input; reference] with the secant at every element-wise activation; a graph
 * with an op that is not linear in the input, an activation or a maximum is refused, naming the op; RevealCancel
 * carries the differences' two parts as a second half of that batch and gives the equivalent ComputationGraph's
 * maps).
 *
 * <p>Shrikumar, Greenside &amp; Kundaje, "Learning Important Features Through Propagating Activation Differences",
 * ICML 2017, <a href="https://arxiv.org/abs/1704.02685">arXiv:1704.02685</a>.
 *
 * <pre>{@code
 * AttributionResult r = DeepLift.builder(model).baselines(Baselines.zeros()).build()
 *         .attribute(images, Targets.predicted());
 * }</pre>
 */
public final class DeepLift implements Attribution {
    /**
     * RevealCancel results whose convergence gap exceeds this many times the target's change are refused: the parts
     * lost their precision (see the class description).
     */
    public static final double CANCELLATION_LIMIT = 1000;
    /** RevealCancel results whose gap exceeds this many times the target's change are logged as a warning. */
    public static final double GAP_WARNING = 10;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DeepLift.class);

    /** How non-linearities pass multipliers. */
    public enum Rule {
        /** The secant slope between input and reference (the default; every model type). */
        RESCALE,
        /**
         * Positive and negative differences kept apart, each non-linearity's effect averaged over the other part's
         * absence and presence (Shrikumar et al. 2017, section 3.5.3; every model type).
         */
        REVEAL_CANCEL
    }

    private final InterpretableModel model;
    private final Rule rule;
    private final List<Baseline> baselines;
    private final ChannelReduction reduction;
    private final String name;

    DeepLift(InterpretableModel model, List<Baseline> baselines, ChannelReduction reduction, String name, Rule rule) {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        if (baselines == null || baselines.isEmpty() || baselines.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("DeepLIFT needs at least one baseline (no nulls), e.g. Baselines.zeros()");
        }
        if (reduction == null || rule == null) {
            throw new IllegalArgumentException("channel reduction and rule must not be null");
        }
        this.model = model;
        this.rule = rule;
        this.baselines = List.copyOf(baselines);
        this.reduction = reduction;
        this.name = name;
    }

    /**
     * @param model the model
     * @return a builder (default baseline: zeros)
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        // pin the target on the input (e.g. the predicted class) so every baseline explains the same unit
        Target fixed = org.deeplearning4j.interpret.internal.PinnedTarget.of(model, x, target).target;
        INDArray sum = null;
        INDArray refSum = null;
        INDArray values = null;
        for (Baseline b : baselines) {
            INDArray ref = b.create(x, model);
            RuleWalker.Walk w = rule == Rule.RESCALE ? model.spi().deepLift(x, ref, fixed) : model.spi().revealCancel(x, ref, fixed);
            sum = sum == null ? w.attributions : sum.addi(w.attributions);
            refSum = refSum == null ? w.referenceValues : refSum.addi(w.referenceValues);
            values = w.values;
        }
        INDArray attr = sum.divi(baselines.size());
        INDArray refMean = refSum.divi(baselines.size());
        INDArray delta = attr.reshape(attr.size(0), -1).sum(1).subi(values.sub(refMean));
        if (rule == Rule.REVEAL_CANCEL) {
            checkCancellation(delta, values.sub(refMean));
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("rule", rule == Rule.RESCALE ? "Rescale" : "RevealCancel");
        opts.put("baselines", baselines.stream().map(Baseline::description).reduce((a, c) -> a + ", " + c)
                .orElse(""));
        opts.put("channelReduction", reduction.name());
        return new AttributionResult(name(), target.description(), opts, attr, reduction.reduce(attr), values,
                reduction.isSigned(), delta);
    }

    /**
     * RevealCancel carries each difference as a positive and a negative part. At max pooling each part goes to the
     * input's maxima although the pooled change splits into parts differently (DeepLIFT's own choice for maxima; the
     * remainder shows in the gap, and a gap over {@link #GAP_WARNING} times the change is logged), and through many
     * layers with weights of both signs the parts can grow far beyond the difference they sum to, until FP32 loses
     * their sum: a gap over {@link #CANCELLATION_LIMIT} times the change means the map is noise, and it is refused.
     */
    private static void checkCancellation(INDArray gap, INDArray change) {
        for (int i = 0; i < gap.length(); i++) {
            double g = Math.abs(gap.getDouble(i));
            double c = Math.abs(change.getDouble(i));
            if (g > GAP_WARNING * Math.max(c, 1e-6) && g <= CANCELLATION_LIMIT * Math.max(c, 1e-6)) {
                log.warn("RevealCancel's contributions for example {} miss the target's change {} by {} (max pooling "
                        + "routes each part to the input's maxima); the Rescale rule keeps the gap smaller", i,
                        String.format(java.util.Locale.ROOT, "%.4g", change.getDouble(i)),
                        String.format(java.util.Locale.ROOT, "%.4g", gap.getDouble(i)));
            }
            if (!(g <= CANCELLATION_LIMIT * Math.max(c, 1e-6))) {
                throw new org.deeplearning4j.interpret.InterpretException(String.format(java.util.Locale.ROOT,
                        "RevealCancel's contributions for example %d miss the target's change %.4g by %.4g: the "
                        + "rule's positive and negative parts grew so large through the network that their sum lost "
                        + "its precision. Use the Rescale rule (DeepLift's default) on this model", i,
                        change.getDouble(i),
                        gap.getDouble(i)));
            }
        }
    }

    /** Options. */
    public static final class Builder {
        private final InterpretableModel model;
        private List<Baseline> baselines = List.of(Baselines.zeros());
        private ChannelReduction reduction = ChannelReduction.SUM;
        private Rule rule = Rule.RESCALE;

        private Builder(InterpretableModel model) {
            this.model = model;
        }

        /**
         * @param r how non-linearities pass multipliers (default {@link Rule#RESCALE})
         * @return this
         */
        public Builder rule(Rule r) {
            this.rule = r;
            return this;
        }

        /**
         * @param b the reference input(s); several are averaged (default zeros)
         * @return this
         */
        public Builder baselines(Baseline... b) {
            this.baselines = b == null ? null : java.util.Arrays.asList(b);
            return this;
        }

        /**
         * @param r how channels are combined into the map (default the signed sum)
         * @return this
         */
        public Builder channelReduction(ChannelReduction r) {
            this.reduction = r;
            return this;
        }

        /** @return the method */
        public DeepLift build() {
            return new DeepLift(model, baselines, reduction, "DeepLIFT", rule);
        }
    }
}
