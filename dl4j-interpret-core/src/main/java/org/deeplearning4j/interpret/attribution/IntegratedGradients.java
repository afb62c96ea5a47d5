package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.internal.Paths;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Integrated gradients: {@code (x - x0) * integral_0^1 grad f(x0 + a (x - x0)) da}, approximated with
 * {@code steps} points of an {@link Integration} rule. The attributions sum to {@code f(x) - f(x0)}
 * (completeness); the remaining gap is reported per example by {@link AttributionResult#convergenceDelta()}.
 * Several baselines are averaged. Scaled inputs are evaluated in batches of at most {@code maxBatchSize}.
 *
 * <p>Sundararajan, Taly &amp; Yan, "Axiomatic Attribution for Deep Networks", ICML 2017,
 * <a href="https://arxiv.org/abs/1703.01365">arXiv:1703.01365</a>.
 *
 * <pre>{@code
 * AttributionResult r = IntegratedGradients.builder(model).steps(50).baselines(Baselines.zeros()).build()
 *         .attribute(images, Targets.predicted());
 * double gap = r.convergenceDelta().get().getDouble(0);
 * }</pre>
 */
public final class IntegratedGradients implements Attribution {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IntegratedGradients.class);
    /** Default number of integration points (Captum's default). */
    public static final int DEFAULT_STEPS = 50;
    /** Default rule (Captum's default). */
    public static final Integration DEFAULT_INTEGRATION = Integration.GAUSS_LEGENDRE;

    private final InterpretableModel model;
    private final int steps;
    private final Integration integration;
    private final List<Baseline> baselines;
    private final int internalBatch;
    private final ChannelReduction reduction;
    private final ProgressListener progress;

    private IntegratedGradients(Builder b) {
        this.model = b.model;
        this.steps = b.steps;
        this.integration = b.integration;
        this.baselines = List.copyOf(b.baselines);
        this.internalBatch = b.internalBatch > 0 ? b.internalBatch : model.maxBatchSize();
        this.reduction = b.reduction;
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @return IG with default options (50 Gauss-Legendre steps, zero baseline)
     */
    public static IntegratedGradients of(InterpretableModel model) {
        return builder(model).build();
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "IntegratedGradients";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        long n = x.size(0);
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        Target fixed = pinned.target;
        INDArray fx = pinned.values;
        double[][] rule = integration.rule(steps);
        INDArray attr = Nd4j.zeros(x.dataType(), x.shape());
        INDArray delta = Nd4j.zeros(x.dataType(), n);
        ProgressTracker tracker = new ProgressTracker(log, "Integrated gradients (path points)",
                (long) baselines.size() * n * steps, progress);
        for (Baseline b : baselines) {
            INDArray x0 = b.create(x, model);
            if (!Arrays.equals(x0.shape(), x.shape())) {
                throw new IllegalArgumentException("Baseline '" + b.description() + "' has shape "
                        + Arrays.toString(x0.shape()) + ", expected " + Arrays.toString(x.shape()));
            }
            INDArray f0 = model.values(x0, fixed);
            INDArray diff = x.sub(x0);
            INDArray a = pathIntegral(x0, diff, fixed, rule, tracker).muli(diff);
            attr.addi(a);
            delta.addi(a.sum(1, 2, 3).subi(fx.sub(f0)));
        }
        attr.divi(baselines.size());
        delta.divi(baselines.size());
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("steps", String.valueOf(steps));
        opts.put("integration", integration.name());
        opts.put("baselines", baselines.stream().map(Baseline::description).collect(Collectors.joining(", ")));
        opts.put("channelReduction", reduction.name());
        return new AttributionResult(name(), fixed.description(), opts, attr, reduction.reduce(attr), fx,
                reduction.isSigned(), delta);
    }

    /** Weighted sum of gradients along the straight path from x0, in batches of scaled inputs. */
    private INDArray pathIntegral(INDArray x0, INDArray diff, Target fixed, double[][] rule,
            ProgressTracker tracker) {
        long n = x0.size(0);
        INDArray total = Nd4j.zeros(x0.dataType(), x0.shape());
        for (int i = 0; i < n; i++) {
            INDArray b0 = x0.get(NDArrayIndex.point(i));
            INDArray d = diff.get(NDArrayIndex.point(i));
            Target ti = fixed.slice(i, i + 1);
            INDArray acc = total.get(NDArrayIndex.point(i));
            for (int start = 0; start < steps; start += internalBatch) {
                int end = Math.min(steps, start + internalBatch);
                INDArray batch = Paths.points(b0, d, Arrays.copyOfRange(rule[0], start, end));
                INDArray g = model.gradient(batch, ti).gradient();
                acc.addi(Paths.weightedSum(g, Arrays.copyOfRange(rule[1], start, end)));
                tracker.advance(end - start);
            }
        }
        return total;
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private int steps = DEFAULT_STEPS;
        private Integration integration = DEFAULT_INTEGRATION;
        private List<Baseline> baselines = new ArrayList<>(List.of(Baselines.zeros()));
        private int internalBatch = -1;
        private ChannelReduction reduction = ChannelReduction.SUM;
        private ProgressListener progress;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param steps integration points (default {@value #DEFAULT_STEPS})
         * @return this
         */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * @param rule integration rule (default Gauss-Legendre)
         * @return this
         */
        public Builder integration(Integration rule) {
            this.integration = rule;
            return this;
        }

        /**
         * @param b one or more baselines; attributions are averaged over them (default zeros)
         * @return this
         */
        public Builder baselines(Baseline... b) {
            this.baselines = new ArrayList<>(Arrays.asList(b));
            return this;
        }

        /**
         * @param n most scaled inputs per pass (default: the model's maxBatchSize)
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.internalBatch = n;
            return this;
        }

        /**
         * @param r channel reduction for the map (default signed SUM)
         * @return this
         */
        public Builder channelReduction(ChannelReduction r) {
            this.reduction = r;
            return this;
        }

        /**
         * @param l told after each batch of path points (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the method */
        public IntegratedGradients build() {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (integration == null || reduction == null) {
                throw new IllegalArgumentException("integration and channelReduction must not be null");
            }
            if (baselines.isEmpty() || baselines.contains(null)) {
                throw new IllegalArgumentException("give at least one non-null baseline");
            }
            if (internalBatch == 0 || internalBatch < -1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + internalBatch);
            }
            return new IntegratedGradients(this);
        }
    }
}
