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
 * KernelSHAP over segments: the target is evaluated on coalitions of kept segments (the others replaced by the
 * baseline) and a linear model in the kept/removed flags is fitted with the Shapley kernel weights, under the
 * constraint that its coefficients sum to {@code f(x) - f(baseline)}; the coefficients estimate the segments' Shapley
 * values (efficiency holds exactly, so the convergence delta is zero up to rounding).
 *
 * <p>Coalitions are drawn as in the SHAP library: a size {@code k} with probability proportional to the kernel's
 * total weight {@code (M - 1) / (k (M - k))}, then a uniformly random set of that size, each paired with its
 * complement; every draw then has weight 1. When {@code samples} is at least the number of all proper coalitions
 * ({@code 2^M - 2}), all are enumerated with their exact kernel weights and the result is the exact Shapley value.
 * Seeded per pair (seed, pair, number of segments), so results depend neither on the chunk size nor on the batch.
 *
 * <p>Lundberg &amp; Lee, "A Unified Approach to Interpreting Model Predictions", NeurIPS 2017,
 * <a href="https://arxiv.org/abs/1705.07874">arXiv:1705.07874</a>.
 *
 * <pre>{@code
 * AttributionResult r = KernelShap.builder(model).samples(1000).segmenter(Segmenters.slic(50, 200)).build()
 *         .attribute(images, Targets.predicted());
 * }</pre>
 */
public final class KernelShap implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(KernelShap.class);
    /** Default number of evaluated coalitions per image (as LIME's default). */
    public static final int DEFAULT_SAMPLES = 1000;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    private final SegmentSetup setup;
    private final int samples;
    private final long seed;

    private KernelShap(Builder b) {
        this.setup = b.setup();
        this.samples = b.samples;
        this.seed = b.seed;
    }

    /**
     * @param model the model
     * @return KernelSHAP with 1000 coalitions of 50 SLIC superpixels
     */
    public static KernelShap of(InterpretableModel model) {
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
        return "KernelShap";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("samples", String.valueOf(samples));
        opts.put("seed", String.valueOf(seed));
        return SegmentAttribution.run(name(), log, setup, input, target, opts, this::evaluations, true, this::score);
    }

    private boolean enumerates(int g) {
        return g < 31 && (1L << g) - 2 <= samples;
    }

    private long evaluations(int g) {
        if (g < 2) {
            return 0;
        }
        return enumerates(g) ? (1L << g) - 2 : samples + (samples & 1);
    }

    private double[] score(Coalitions c, double fx) {
        int g = c.segments();
        double f0 = c.empty();
        double total = fx - f0;
        if (g == 1) {
            return new double[] {total};
        }
        boolean all = enumerates(g);
        int count = (int) evaluations(g);
        // the constraint sum(phi) = total removes the last coefficient: regress y - z_last * total on z_j - z_last
        LeastSquares ls = new LeastSquares(g - 1, false);
        double[] kernel = sizeWeights(g);
        // the kernel's total weight of each coalition size, from which sampled coalitions draw their size
        double[] sizeP = new double[g];
        double sizeNorm = 0;
        for (int k = 1; k < g; k++) {
            sizeP[k] = (g - 1) / ((double) k * (g - k));
            sizeNorm += sizeP[k];
        }
        double[] row = new double[g - 1];
        int round = Math.max(setup.maxBatch(), 64);
        for (int start = 0; start < count; start += round) {
            int k = Math.min(round, count - start);
            double[][] keep = new double[k][g];
            for (int j = 0; j < k; j++) {
                coalition(start + j, g, all, sizeP, sizeNorm, keep[j]);
            }
            double[] v = c.values(keep);
            for (int j = 0; j < k; j++) {
                double last = keep[j][g - 1];
                int size = 0;
                for (int s = 0; s < g; s++) {
                    size += (int) keep[j][s];
                }
                for (int s = 0; s < g - 1; s++) {
                    row[s] = keep[j][s] - last;
                }
                ls.add(row, v[j] - f0 - last * total, all ? kernel[size] : 1);
            }
        }
        double[] head = ls.solve(0);
        double[] phi = new double[g];
        double sum = 0;
        for (int s = 0; s < g - 1; s++) {
            phi[s] = head[s];
            sum += head[s];
        }
        phi[g - 1] = total - sum;
        return phi;
    }

    /** The Shapley kernel's weight of one coalition of each size: {@code (M - 1) / (C(M, k) k (M - k))}. */
    private static double[] sizeWeights(int g) {
        double[] w = new double[g + 1];
        for (int k = 1; k < g; k++) {
            w[k] = (g - 1) / (binomial(g, k) * k * (double) (g - k));
        }
        return w;
    }

    private static double binomial(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    /** Coalition {@code index}: the bits of index + 1 when enumerating, else a kernel draw or its complement. */
    private void coalition(int index, int g, boolean all, double[] sizeP, double sizeNorm, double[] out) {
        if (all) {
            long bits = index + 1L;
            for (int s = 0; s < g; s++) {
                out[s] = (bits >> s) & 1;
            }
            return;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, index / 2, g));
        double u = rng.nextDouble() * sizeNorm;
        int size = g - 1;
        for (int k = 1; k < g; k++) {
            u -= sizeP[k];
            if (u < 0) {
                size = k;
                break;
            }
        }
        int[] order = Seeds.permutation(g, rng);
        boolean complement = (index & 1) == 1;
        for (int s = 0; s < g; s++) {
            out[s] = complement ? 1 : 0;
        }
        for (int t = 0; t < size; t++) {
            out[order[t]] = complement ? 0 : 1;
        }
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
         * @param n coalitions evaluated per image (default {@value #DEFAULT_SAMPLES}; rounded up to even, for the
         *        complement pairs); at least {@code 2^segments - 2} enumerates all of them
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
        public KernelShap build() {
            checkCommon();
            if (samples < 2) {
                throw new IllegalArgumentException("samples must be >= 2 (coalitions per image), got " + samples);
            }
            return new KernelShap(this);
        }
    }
}
