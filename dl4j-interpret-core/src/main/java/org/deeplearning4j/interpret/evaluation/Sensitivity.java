package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.internal.HostArrays;
import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sensitivity: how much the explanation changes under small input noise, {@code ||a(x + d) - a(x)|| / ||a(x)||}
 * (Frobenius norms of the raw attributions) for noise {@code d} drawn uniformly from the L-infinity ball of the given
 * radius. {@code max} over the samples is Captum's {@code sensitivity_max}; {@code average} is the average sensitivity
 * of Bhatt et al. Lower is more stable. The explained unit is pinned on the unperturbed input.
 *
 * <p>Yeh, Hsieh, Suggala, Inouye &amp; Ravikumar, "On the (In)fidelity and Sensitivity of Explanations", NeurIPS
 * 2019, <a href="https://arxiv.org/abs/1901.09392">arXiv:1901.09392</a>; Bhatt, Weller &amp; Moura, "Evaluating and
 * Aggregating Feature-based Model Explanations", IJCAI 2020,
 * <a href="https://arxiv.org/abs/2005.00631">arXiv:2005.00631</a>.
 *
 * <pre>{@code
 * List<MetricResult> s = Sensitivity.builder(model, Saliency.of(model)).build().evaluate(x, Targets.predicted());
 * s.get(0).mean();   // max-sensitivity; s.get(1): average sensitivity
 * }</pre>
 */
public final class Sensitivity {
    private static final Logger log = LoggerFactory.getLogger(Sensitivity.class);

    /** Default radius of the noise ball as a fraction of the pixel range (Captum: 0.02). */
    public static final double DEFAULT_RADIUS = 0.02;
    /** Default noise samples (Captum's default). */
    public static final int DEFAULT_SAMPLES = 10;
    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    private final InterpretableModel model;
    private final Attribution method;
    private final double radius;
    private final int samples;
    private final long seed;
    private final ProgressListener progress;

    private Sensitivity(Builder b) {
        this.model = b.model;
        this.method = b.method;
        this.radius = b.radius;
        this.samples = b.samples;
        this.seed = b.seed;
        this.progress = b.progress;
    }

    /**
     * @param model the model the method explains
     * @param method the method
     * @return a builder
     */
    public static Builder builder(InterpretableModel model, Attribution method) {
        return new Builder(model, method);
    }

    /**
     * @param input NCHW batch (not modified)
     * @param target what to explain; pinned on the unperturbed input
     * @return max-sensitivity and average sensitivity, per example (lower is better)
     */
    public List<MetricResult> evaluate(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        int n = (int) x.size(0);
        int size = (int) (x.length() / n);
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        double[] a0 = method.attribute(x, pinned.target).attributions().castTo(DataType.DOUBLE).dup('c').data()
                .asDouble();
        if (a0.length != x.length()) {
            throw new IllegalArgumentException(method.name() + " does not return input-shaped attributions");
        }
        double[] norm0 = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < size; k++) {
                norm0[i] += a0[i * size + k] * a0[i * size + k];
            }
            norm0[i] = Math.sqrt(norm0[i]);
        }
        double r = radius * (model.inputSpec().pixelMax() - model.inputSpec().pixelMin());
        double[] xs = HostArrays.doubles(x);
        double[] max = new double[n];
        double[] sum = new double[n];
        ProgressTracker tracker = new ProgressTracker(log, "Sensitivity (" + method.name() + ")", samples, progress);
        for (int s = 0; s < samples; s++) {
            SplittableRandom rng = new SplittableRandom(org.deeplearning4j.interpret.internal.Seeds.mix(seed, s));
            double[] noise = new double[size];
            for (int k = 0; k < size; k++) {
                noise[k] = (2 * rng.nextDouble() - 1) * r;
            }
            double[] noisy = xs.clone();
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < size; k++) {
                    noisy[i * size + k] += noise[k];
                }
            }
            double[] a = method.attribute(Nd4j.create(noisy, x.shape(), DataType.DOUBLE).castTo(x.dataType()),
                    pinned.target).attributions().castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int i = 0; i < n; i++) {
                double d = 0;
                for (int k = 0; k < size; k++) {
                    double e = a[i * size + k] - a0[i * size + k];
                    d += e * e;
                }
                double sens = norm0[i] > 0 ? Math.sqrt(d) / norm0[i] : Math.sqrt(d);
                max[i] = Math.max(max[i], sens);
                sum[i] += sens;
            }
            tracker.advance(1);
        }
        for (int i = 0; i < n; i++) {
            sum[i] /= samples;
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("radius", String.valueOf(r));
        opts.put("samples", String.valueOf(samples));
        opts.put("seed", String.valueOf(seed));
        return List.of(new MetricResult("max-sensitivity", method.name(), pinned.target.description(), opts, max, false),
                new MetricResult("avg-sensitivity", method.name(), pinned.target.description(), opts, sum, false));
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private final Attribution method;
        private double radius = DEFAULT_RADIUS;
        private int samples = DEFAULT_SAMPLES;
        private long seed = DEFAULT_SEED;
        private ProgressListener progress;

        private Builder(InterpretableModel model, Attribution method) {
            if (model == null || method == null) {
                throw new IllegalArgumentException("model and method must not be null");
            }
            this.model = model;
            this.method = method;
        }

        /**
         * @param r noise radius as a fraction of the pixel range (default 0.02)
         * @return this
         */
        public Builder radius(double r) {
            this.radius = r;
            return this;
        }

        /**
         * @param n noise samples (default {@value #DEFAULT_SAMPLES})
         * @return this
         */
        public Builder samples(int n) {
            this.samples = n;
            return this;
        }

        /**
         * @param seed seed of the noise (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param l told after each noise sample
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the metric */
        public Sensitivity build() {
            if (!(radius > 0) || !Double.isFinite(radius)) {
                throw new IllegalArgumentException("radius must be > 0 (fraction of the pixel range), got " + radius);
            }
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1, got " + samples);
            }
            return new Sensitivity(this);
        }
    }
}
