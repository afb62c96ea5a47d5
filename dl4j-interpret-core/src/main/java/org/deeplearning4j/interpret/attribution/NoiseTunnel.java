package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.target.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wraps any attribution method and averages it over noisy copies of each input: SmoothGrad (mean), SmoothGrad-squared
 * (mean of squares) or VarGrad (variance). The noise is Gaussian with standard deviation {@code noiseLevel} times the
 * input's own value range ({@code max - min} of each example), as in the SmoothGrad paper, which recommends 10-20%.
 * Seeded: the same seed gives the same result; the global ND4J random generator is not touched.
 *
 * <p>Smilkov, Thorat, Kim, Viegas &amp; Wattenberg, "SmoothGrad: removing noise by adding noise", 2017,
 * <a href="https://arxiv.org/abs/1706.03825">arXiv:1706.03825</a>; Adebayo et al. 2018 (VarGrad),
 * <a href="https://arxiv.org/abs/1810.03307">arXiv:1810.03307</a>.
 *
 * <pre>{@code
 * AttributionResult r = NoiseTunnel.builder(model, Saliency.of(model)).samples(25).noiseLevel(0.15).seed(1).build()
 *         .attribute(images, Targets.predicted());
 * }</pre>
 */
public final class NoiseTunnel implements Attribution {
    /** How the noisy attributions are combined. */
    public enum Type { SMOOTHGRAD, SMOOTHGRAD_SQUARED, VARGRAD }

    /** Default number of noisy samples per input. */
    public static final int DEFAULT_SAMPLES = 25;
    /** Default noise standard deviation, relative to each input's value range (SmoothGrad paper: 10-20%). */
    public static final double DEFAULT_NOISE_LEVEL = 0.15;
    /** Default seed. */
    public static final long DEFAULT_SEED = 12345L;

    private final InterpretableModel model;
    private final Attribution method;
    private final Type type;
    private final int samples;
    private final double noiseLevel;
    private final long seed;

    private NoiseTunnel(Builder b) {
        this.model = b.model;
        this.method = b.method;
        this.type = b.type;
        this.samples = b.samples;
        this.noiseLevel = b.noiseLevel;
        this.seed = b.seed;
    }

    /**
     * @param model the model (to pin the predicted class on the clean input)
     * @param method the wrapped method
     * @return a builder
     */
    public static Builder builder(InterpretableModel model, Attribution method) {
        return new Builder(model, method);
    }

    @Override
    public String name() {
        return "NoiseTunnel(" + type + ", " + method.name() + ")";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.prepareInput(input);
        long n = x.size(0);
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        Target fixed = pinned.target;
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        long[] one = {1, x.size(1), x.size(2), x.size(3)};
        INDArray attr = null;
        INDArray map = null;
        boolean signed = false;
        for (int i = 0; i < n; i++) {
            INDArray xi = x.get(NDArrayIndex.point(i)).reshape(one);
            double sigma = noiseLevel * (xi.maxNumber().doubleValue() - xi.minNumber().doubleValue());
            INDArray noisy = Nd4j.repeat(xi, samples).reshape(samples, one[1], one[2], one[3])
                    .addi(Nd4j.randn(rng, new long[] {samples, one[1], one[2], one[3]}).castTo(x.dataType())
                            .muli(sigma));
            AttributionResult r = method.attribute(noisy, fixed.slice(i, i + 1));
            INDArray a = combine(r.attributions());
            INDArray m = combine(r.map());
            signed = r.isSigned() && type == Type.SMOOTHGRAD;
            if (attr == null) {
                attr = Nd4j.create(a.dataType(), prepend(n, a.shape()));
                map = Nd4j.create(m.dataType(), prepend(n, m.shape()));
            }
            attr.get(NDArrayIndex.point(i)).assign(a);
            map.get(NDArrayIndex.point(i)).assign(m);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("type", type.name());
        opts.put("method", method.name());
        opts.put("samples", String.valueOf(samples));
        opts.put("noiseLevel", String.valueOf(noiseLevel));
        opts.put("seed", String.valueOf(seed));
        return new AttributionResult(name(), fixed.description(), opts, attr, map, pinned.values, signed);
    }

    private static long[] prepend(long n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** Combines the sample dimension 0. */
    private INDArray combine(INDArray a) {
        switch (type) {
            case SMOOTHGRAD:
                return a.mean(0);
            case SMOOTHGRAD_SQUARED:
                return a.mul(a).mean(0);
            default:
                INDArray mean = a.mean(0);
                return a.mul(a).mean(0).subi(mean.mul(mean));
        }
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private final Attribution method;
        private Type type = Type.SMOOTHGRAD;
        private int samples = DEFAULT_SAMPLES;
        private double noiseLevel = DEFAULT_NOISE_LEVEL;
        private long seed = DEFAULT_SEED;

        private Builder(InterpretableModel model, Attribution method) {
            if (model == null || method == null) {
                throw new IllegalArgumentException("model and method must not be null");
            }
            this.model = model;
            this.method = method;
        }

        /** @param t combination (default SMOOTHGRAD) @return this */
        public Builder type(Type t) {
            this.type = t;
            return this;
        }

        /** @param s noisy samples per input (default {@value #DEFAULT_SAMPLES}) @return this */
        public Builder samples(int s) {
            this.samples = s;
            return this;
        }

        /** @param level noise std relative to each input's value range (default 0.15) @return this */
        public Builder noiseLevel(double level) {
            this.noiseLevel = level;
            return this;
        }

        /** @param s seed (default {@value #DEFAULT_SEED}) @return this */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @return the wrapper */
        public NoiseTunnel build() {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1, got " + samples);
            }
            if (!(noiseLevel >= 0) || Double.isInfinite(noiseLevel)) {
                throw new IllegalArgumentException("noiseLevel must be a finite value >= 0 (a fraction of each "
                        + "input's value range, e.g. 0.15), got " + noiseLevel);
            }
            if (type == null) {
                throw new IllegalArgumentException("type must not be null");
            }
            return new NoiseTunnel(this);
        }
    }
}
