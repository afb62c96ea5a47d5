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
 * Shapley value sampling over segments: for each of {@code samples} random orders of the segments, the segments are
 * put back one at a time onto the baseline image and each is credited with the change of the target it causes; the
 * credits are averaged over the orders. An unbiased estimate of the segments' Shapley values; exact for a model that
 * is additive in the segments. Along each order the credits sum to {@code f(x) - f(baseline)} (efficiency), so the
 * convergence delta is zero up to rounding. Costs {@code samples x (segments - 1)} forward passes per image.
 *
 * <p>Seeded: order {@code s} comes from its own stream (seed, s and the number of segments), so the result depends
 * neither on the chunk size nor on the batch an image is in.
 *
 * <p>Castro, G&oacute;mez &amp; Tejada, "Polynomial calculation of the Shapley value based on sampling", Computers
 * &amp; Operations Research 36(5), 2009, <a href="https://doi.org/10.1016/j.cor.2008.04.004">
 * doi:10.1016/j.cor.2008.04.004</a>; &Scaron;trumbelj &amp; Kononenko, "An Efficient Explanation of Individual
 * Classifications using Game Theory", JMLR 11, 2010, <a href="https://jmlr.org/papers/v11/strumbelj10a.html">
 * jmlr.org/papers/v11/strumbelj10a</a>.
 *
 * <pre>{@code
 * AttributionResult r = ShapleyValueSampling.builder(model).samples(25).segmenter(Segmenters.grid(8, 8)).build()
 *         .attribute(images, Targets.predicted());
 * }</pre>
 */
public final class ShapleyValueSampling implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(ShapleyValueSampling.class);
    /** Default number of random orders (Captum's default). */
    public static final int DEFAULT_SAMPLES = 25;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    private final SegmentSetup setup;
    private final int samples;
    private final long seed;

    private ShapleyValueSampling(Builder b) {
        this.setup = b.setup();
        this.samples = b.samples;
        this.seed = b.seed;
    }

    /**
     * @param model the model
     * @return Shapley value sampling with 25 orders of 50 SLIC superpixels
     */
    public static ShapleyValueSampling of(InterpretableModel model) {
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
        return "ShapleyValueSampling";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("samples", String.valueOf(samples));
        opts.put("seed", String.valueOf(seed));
        return SegmentAttribution.run(name(), log, setup, input, target, opts, g -> (long) samples * (g - 1), true,
                this::score);
    }

    private double[] score(Coalitions c, double fx) {
        int g = c.segments();
        double f0 = c.empty();
        double[] phi = new double[g];
        // enough orders per round to fill a forward pass; an order needs its g - 1 proper prefixes (the full
        // image's value is f(x))
        int evals = g - 1;
        int perRound = Math.max(1, setup.maxBatch() / Math.max(1, evals));
        for (int s0 = 0; s0 < samples; s0 += perRound) {
            int k = Math.min(perRound, samples - s0);
            int[][] orders = new int[k][];
            for (int j = 0; j < k; j++) {
                orders[j] = Seeds.permutation(g, new SplittableRandom(Seeds.mix(seed, s0 + j, g)));
            }
            double[] v = c.values(k * evals, (r, row) -> {
                int[] order = orders[r / evals];
                for (int t = 0; t <= r % evals; t++) {
                    row[order[t]] = 1;
                }
            });
            for (int j = 0; j < k; j++) {
                double prev = f0;
                for (int t = 0; t < g; t++) {
                    double cur = t < evals ? v[j * evals + t] : fx;
                    phi[orders[j][t]] += cur - prev;
                    prev = cur;
                }
            }
        }
        for (int s = 0; s < g; s++) {
            phi[s] /= samples;
        }
        return phi;
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder extends SegmentOptions<Builder> {
        private int samples = DEFAULT_SAMPLES;
        private long seed = DEFAULT_SEED;

        private Builder(InterpretableModel model) {
            super(model);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param n random orders of the segments (default {@value #DEFAULT_SAMPLES})
         * @return this
         */
        public Builder samples(int n) {
            this.samples = n;
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
        public ShapleyValueSampling build() {
            checkCommon();
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1 (random orders of the segments), got "
                        + samples);
            }
            return new ShapleyValueSampling(this);
        }
    }
}
