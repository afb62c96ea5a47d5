package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.Seeds;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LIME for images: the target is evaluated on {@code samples} random coalitions of segments (each kept with
 * probability 1/2, the others replaced by the baseline; the first sample is the whole image), each weighted by its
 * closeness to the image, {@code sqrt(exp(-d^2 / width^2))} with {@code d} the cosine distance between the coalition
 * and the all-kept vector; a ridge regression (penalty {@code ridge} on the coefficients, not the intercept) of the
 * target on the kept flags gives each segment's score. These are the defaults of the reference implementation's
 * image explainer (1000 samples, kernel width 0.25, ridge 1, every segment in the explanation).
 *
 * <p>Seeded: sample {@code s} comes from its own stream (seed, s and the number of segments), so the result depends
 * neither on the chunk size nor on the batch an image is in.
 *
 * <p>Ribeiro, Singh &amp; Guestrin, "'Why Should I Trust You?': Explaining the Predictions of Any Classifier", KDD
 * 2016, <a href="https://arxiv.org/abs/1602.04938">arXiv:1602.04938</a>.
 *
 * <pre>{@code
 * AttributionResult r = Lime.builder(model).samples(1000).segmenter(Segmenters.slic(50, 200)).build()
 *         .attribute(images, Targets.predicted());
 * int[] mostImportantFirst = r.segments().get().ranking(0);
 * }</pre>
 */
public final class Lime implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(Lime.class);
    /** Default number of perturbed samples per image (the reference implementation's). */
    public static final int DEFAULT_SAMPLES = 1000;
    /** Default kernel width (the reference implementation's for images). */
    public static final double DEFAULT_KERNEL_WIDTH = 0.25;
    /** Default ridge penalty (scikit-learn's Ridge, as the reference implementation uses). */
    public static final double DEFAULT_RIDGE = 1.0;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    private final SegmentSetup setup;
    private final int samples;
    private final double kernelWidth;
    private final double ridge;
    private final long seed;

    private Lime(Builder b) {
        this.setup = b.setup();
        this.samples = b.samples;
        this.kernelWidth = b.kernelWidth;
        this.ridge = b.ridge;
        this.seed = b.seed;
    }

    /**
     * @param model the model
     * @return LIME with 1000 samples over 50 SLIC superpixels
     */
    public static Lime of(InterpretableModel model) {
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
        return "Lime";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("samples", String.valueOf(samples));
        opts.put("kernelWidth", String.valueOf(kernelWidth));
        opts.put("ridge", String.valueOf(ridge));
        opts.put("seed", String.valueOf(seed));
        return SegmentAttribution.run(name(), log, setup, input, target, opts, g -> samples, false, this::score);
    }

    private double[] score(Coalitions c, double fx) {
        int g = c.segments();
        LeastSquares ls = new LeastSquares(g, true);
        int round = Math.max(setup.maxBatch(), 64);
        for (int start = 0; start < samples; start += round) {
            int k = Math.min(round, samples - start);
            double[][] keep = new double[k][g];
            for (int j = 0; j < k; j++) {
                sample(start + j, keep[j]);
            }
            double[] v = c.values(keep);
            for (int j = 0; j < k; j++) {
                int kept = 0;
                for (double f : keep[j]) {
                    kept += (int) f;
                }
                double d = 1 - Math.sqrt(kept / (double) g); // cosine distance to the all-kept vector
                ls.add(keep[j], v[j], Math.sqrt(Math.exp(-d * d / (kernelWidth * kernelWidth))));
            }
        }
        return ls.solve(ridge);
    }

    /** Sample 0 keeps everything (the image itself); the others keep each segment with probability 1/2. */
    private void sample(int index, double[] out) {
        if (index == 0) {
            java.util.Arrays.fill(out, 1);
            return;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, index, out.length));
        for (int s = 0; s < out.length; s++) {
            out[s] = rng.nextBoolean() ? 1 : 0;
        }
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder extends SegmentOptions<Builder> {
        private int samples = DEFAULT_SAMPLES;
        private double kernelWidth = DEFAULT_KERNEL_WIDTH;
        private double ridge = DEFAULT_RIDGE;
        private long seed = DEFAULT_SEED;

        private Builder(InterpretableModel model) {
            super(model);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param n perturbed samples per image (default {@value #DEFAULT_SAMPLES})
         * @return this
         */
        public Builder samples(int n) {
            this.samples = n;
            return this;
        }

        /**
         * @param w width of the exponential kernel on cosine distance (default 0.25)
         * @return this
         */
        public Builder kernelWidth(double w) {
            this.kernelWidth = w;
            return this;
        }

        /**
         * @param alpha ridge penalty of the fit (default 1; 0 for ordinary least squares)
         * @return this
         */
        public Builder ridge(double alpha) {
            this.ridge = alpha;
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

        /** @return the method */
        public Lime build() {
            checkCommon();
            if (samples < 2) {
                throw new IllegalArgumentException("samples must be >= 2 (perturbed images per image), got "
                        + samples);
            }
            if (!(kernelWidth > 0) || Double.isInfinite(kernelWidth)) {
                throw new IllegalArgumentException("kernelWidth must be a positive number, got " + kernelWidth);
            }
            if (!(ridge >= 0) || Double.isInfinite(ridge)) {
                throw new IllegalArgumentException("ridge must be >= 0, got " + ridge);
            }
            return new Lime(this);
        }
    }
}
