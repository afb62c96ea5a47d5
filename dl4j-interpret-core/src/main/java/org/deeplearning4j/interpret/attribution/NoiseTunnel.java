package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Wraps any attribution method and averages it over noisy copies of each input: SmoothGrad (mean), SmoothGrad-squared
 * (mean of squares) or VarGrad (variance). The noise is Gaussian with standard deviation {@code noiseLevel} times the
 * input's own value range ({@code max - min} of each example), as in the SmoothGrad paper, which recommends 10-20%.
 * Seeded: the same seed gives the same result; the global ND4J random generator is not touched; each sample's noise
 * comes from its own stream, so results depend neither on the chunk size nor on the batch an example is in. The
 * samples run in chunks of {@code maxBatch} with running sums (and sums of squares for SmoothGrad-squared and
 * VarGrad), so memory is bounded by the chunk, not by the number of samples (BENCHMARKS.md).
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
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NoiseTunnel.class);
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
    private final int maxBatch;
    private final ProgressListener progress;

    private NoiseTunnel(Builder b) {
        this.model = b.model;
        this.method = b.method;
        this.type = b.type;
        this.samples = b.samples;
        this.noiseLevel = b.noiseLevel;
        this.seed = b.seed;
        this.maxBatch = b.maxBatch > 0 ? b.maxBatch : model.maxBatchSize();
        this.progress = b.progress;
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
        INDArray x = model.spi().prepareInput(input);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        Target fixed = pinned.target;
        ProgressTracker tracker = new ProgressTracker(log, name() + " (noisy samples)", (long) n * samples, progress);
        INDArray attr = null;
        INDArray map = null;
        boolean signed = false;
        boolean squares = type != Type.SMOOTHGRAD;
        for (int i = 0; i < n; i++) {
            INDArray xi = x.get(NDArrayIndex.interval(i, i + 1));
            double sigma = noiseLevel * (xi.maxNumber().doubleValue() - xi.minNumber().doubleValue());
            INDArray sumA = null;
            INDArray sumA2 = null;
            INDArray sumM = null;
            INDArray sumM2 = null;
            for (int s0 = 0; s0 < samples; s0 += maxBatch) {
                int k = Math.min(maxBatch, samples - s0);
                INDArray noisy = Nd4j.repeat(xi, k).reshape(k, c, h, w).add(noise(s0, k, c * h * w)
                        .reshape(k, c, h, w).muli(sigma).castTo(x.dataType()));
                AttributionResult r = method.attribute(noisy, fixed.slice(i, i + 1));
                INDArray a = r.attributions().castTo(DataType.DOUBLE);
                INDArray m = r.map().castTo(DataType.DOUBLE);
                signed = r.isSigned() && type == Type.SMOOTHGRAD;
                sumA = sumA == null ? a.sum(0) : sumA.addi(a.sum(0));
                sumM = sumM == null ? m.sum(0) : sumM.addi(m.sum(0));
                if (squares) {
                    sumA2 = sumA2 == null ? a.mul(a).sum(0) : sumA2.addi(a.mul(a).sum(0));
                    sumM2 = sumM2 == null ? m.mul(m).sum(0) : sumM2.addi(m.mul(m).sum(0));
                }
                tracker.advance(k);
            }
            INDArray ai = combine(sumA, sumA2).castTo(x.dataType());
            INDArray mi = combine(sumM, sumM2).castTo(x.dataType());
            if (attr == null) {
                attr = Nd4j.create(x.dataType(), prepend(n, ai.shape()));
                map = Nd4j.create(x.dataType(), prepend(n, mi.shape()));
            }
            attr.get(NDArrayIndex.point(i)).assign(ai);
            map.get(NDArrayIndex.point(i)).assign(mi);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("type", type.name());
        opts.put("method", method.name());
        opts.put("samples", String.valueOf(samples));
        opts.put("noiseLevel", String.valueOf(noiseLevel));
        opts.put("seed", String.valueOf(seed));
        return new AttributionResult(name(), fixed.description(), opts, attr, map, pinned.values, signed);
    }

    /**
     * Standard normal noise for samples {@code from .. from + k - 1}: sample {@code s} is drawn from its own seeded
     * stream, so the noise depends neither on the chunk size nor on the batch the example is in.
     */
    private INDArray noise(int from, int k, int size) {
        double[] v = new double[k * size];
        for (int j = 0; j < k; j++) {
            org.deeplearning4j.interpret.internal.Gaussians.fill(new SplittableRandom(seed * 0x9E3779B97F4A7C15L
                    + (from + j)), v, j * size, (j + 1) * size);
        }
        return Nd4j.createFromArray(v);
    }

    private static long[] prepend(long n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** Combines running sums over the samples into the mean, the mean square or the variance. */
    private INDArray combine(INDArray sum, INDArray sumSq) {
        INDArray mean = sum.div(samples);
        switch (type) {
            case SMOOTHGRAD:
                return mean;
            case SMOOTHGRAD_SQUARED:
                return sumSq.div(samples);
            default:
                return sumSq.div(samples).subi(mean.mul(mean));
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
        private int maxBatch;
        private ProgressListener progress;

        private Builder(InterpretableModel model, Attribution method) {
            if (model == null || method == null) {
                throw new IllegalArgumentException("model and method must not be null");
            }
            this.model = model;
            this.method = method;
        }

        /**
         * @param t combination (default SMOOTHGRAD)
         * @return this
         */
        public Builder type(Type t) {
            this.type = t;
            return this;
        }

        /**
         * @param s noisy samples per input (default {@value #DEFAULT_SAMPLES})
         * @return this
         */
        public Builder samples(int s) {
            this.samples = s;
            return this;
        }

        /**
         * @param level noise std relative to each input's value range (default 0.15)
         * @return this
         */
        public Builder noiseLevel(double level) {
            this.noiseLevel = level;
            return this;
        }

        /**
         * @param s seed (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param n noisy copies per call of the wrapped method (default: the model's chunk size); the arrays held
         *          at once are bounded by this, not by the number of samples
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.maxBatch = n;
            return this;
        }

        /**
         * @param l told after each chunk of noisy samples (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the wrapper */
        public NoiseTunnel build() {
            if (maxBatch < 0) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1 (or 0 for the model's), got " + maxBatch);
            }
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
