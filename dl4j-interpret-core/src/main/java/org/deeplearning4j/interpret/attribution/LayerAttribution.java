package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.internal.Paths;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerGradient;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attribution to a hidden layer's units, per position and per channel: the building block for "which features
 * matter" views (Olah et al., "The Building Blocks of Interpretability", Distill 2018).
 * <ul>
 *   <li>{@link Method#GRADIENT_X_ACTIVATION}: {@code A * dy/dA} (Shrikumar et al. 2016 applied to activations).</li>
 *   <li>{@link Method#INTEGRATED_GRADIENTS}: layer integrated gradients (Captum's LayerIntegratedGradients): the
 *       layer's activation is interpolated from a baseline activation (zeros by default) to its actual value, with
 *       the rest of the network fed from the input; attributions sum to {@code f(x) - f(x with A := A0)}, and the gap
 *       is reported by {@link AttributionResult#convergenceDelta()}.</li>
 * </ul>
 * Results are in the layer's space: {@code attributions()} is {@code [N, K, h, w]} ({@code [N, K, 1, 1]} for dense
 * layers), {@code map()} sums over channels and {@code channelTotals()} over positions.
 *
 * <p>Shrikumar, Greenside, Shcherbina &amp; Kundaje, "Not Just a Black Box: Learning Important Features Through
 * Propagating Activation Differences", 2016, <a href="https://arxiv.org/abs/1605.01713">arXiv:1605.01713</a>;
 * Sundararajan, Taly &amp; Yan, "Axiomatic Attribution for Deep Networks", ICML 2017,
 * <a href="https://arxiv.org/abs/1703.01365">arXiv:1703.01365</a>.
 *
 * <pre>{@code
 * AttributionResult r = LayerAttribution.builder(model, "conv3").method(Method.INTEGRATED_GRADIENTS).build()
 *         .attribute(images, Targets.predicted());
 * INDArray perChannel = r.channelTotals();
 * }</pre>
 */
public final class LayerAttribution implements Attribution {
    /** Which layer attribution. */
    public enum Method { GRADIENT_X_ACTIVATION, INTEGRATED_GRADIENTS }

    private final InterpretableModel model;
    private final String layer;
    private final Method method;
    private final int steps;
    private final Integration integration;
    private final int internalBatch;

    private LayerAttribution(Builder b) {
        this.model = b.model;
        this.layer = b.layer;
        this.method = b.method;
        this.steps = b.steps;
        this.integration = b.integration;
        this.internalBatch = b.internalBatch > 0 ? b.internalBatch : model.maxBatchSize();
    }

    /**
     * @param model the model
     * @param layer the hidden layer
     * @return a builder
     */
    public static Builder builder(InterpretableModel model, String layer) {
        return new Builder(model, layer);
    }

    @Override
    public String name() {
        return method == Method.GRADIENT_X_ACTIVATION ? "LayerGradientXActivation" : "LayerIntegratedGradients";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        Target fixed = PinnedTarget.of(model, x, target).target;
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("layer", layer);
        INDArray attr;
        INDArray delta = null;
        LayerGradient lg = model.layerGradient(x, fixed, layer);
        INDArray a = lg.activation();
        if (method == Method.GRADIENT_X_ACTIVATION) {
            attr = a.mul(lg.gradient());
        } else {
            opts.put("steps", String.valueOf(steps));
            opts.put("integration", integration.name());
            opts.put("baseline", "zero activation");
            INDArray a0 = Nd4j.zerosLike(a);
            attr = integrate(x, fixed, a, a0).muli(a.sub(a0));
            INDArray f0 = model.spi().values(x, fixed, layer, a0);
            delta = sumPerExample(attr).subi(lg.values().sub(f0));
        }
        INDArray a4 = attr.rank() == 4 ? attr : attr.reshape(attr.size(0), attr.size(1), 1, 1);
        return new AttributionResult(name(), fixed.description(), opts, a4, a4.sum(1), lg.values(), true, delta);
    }

    private static INDArray sumPerExample(INDArray a) {
        return a.reshape(a.size(0), -1).sum(1);
    }

    private INDArray integrate(INDArray x, Target fixed, INDArray a, INDArray a0) {
        double[][] rule = integration.rule(steps);
        long n = x.size(0);
        long[] xOne = {1, x.size(1), x.size(2), x.size(3)};
        INDArray total = Nd4j.zeros(a.dataType(), a.shape());
        for (int i = 0; i < n; i++) {
            INDArray xi = x.get(NDArrayIndex.point(i)).reshape(xOne);
            INDArray ai = a.get(NDArrayIndex.point(i));
            INDArray a0i = a0.get(NDArrayIndex.point(i));
            Target ti = fixed.slice(i, i + 1);
            for (int start = 0; start < steps; start += internalBatch) {
                int end = Math.min(steps, start + internalBatch);
                int m = end - start;
                INDArray override = Paths.points(a0i, ai.sub(a0i), Arrays.copyOfRange(rule[0], start, end));
                INDArray xs = Nd4j.repeat(xi, m).reshape(m, xOne[1], xOne[2], xOne[3]);
                INDArray g = model.spi().layerGradient(xs, ti, layer, override,
                        org.deeplearning4j.interpret.gradient.ReluRule.NORMAL).gradient();
                total.get(NDArrayIndex.point(i)).addi(Paths.weightedSum(g, Arrays.copyOfRange(rule[1], start, end)));
            }
        }
        return total;
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private final String layer;
        private Method method = Method.GRADIENT_X_ACTIVATION;
        private int steps = IntegratedGradients.DEFAULT_STEPS;
        private Integration integration = IntegratedGradients.DEFAULT_INTEGRATION;
        private int internalBatch = -1;

        private Builder(InterpretableModel model, String layer) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
            this.layer = layer;
        }

        /**
         * @param m method (default GRADIENT_X_ACTIVATION)
         * @return this
         */
        public Builder method(Method m) {
            this.method = m;
            return this;
        }

        /**
         * @param s integration steps for layer IG (default 50)
         * @return this
         */
        public Builder steps(int s) {
            this.steps = s;
            return this;
        }

        /**
         * @param rule integration rule for layer IG
         * @return this
         */
        public Builder integration(Integration rule) {
            this.integration = rule;
            return this;
        }

        /**
         * @param n most interpolated activations per pass
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.internalBatch = n;
            return this;
        }

        /** @return the method; an unknown layer fails here with the valid names */
        public LayerAttribution build() {
            if (layer == null) {
                throw new IllegalArgumentException("layer is null; name a hidden layer (see model.layers())");
            }
            model.layer(layer);
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (method == null || integration == null) {
                throw new IllegalArgumentException("method and integration must not be null");
            }
            if (internalBatch == 0 || internalBatch < -1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + internalBatch);
            }
            return new LayerAttribution(this);
        }
    }
}
