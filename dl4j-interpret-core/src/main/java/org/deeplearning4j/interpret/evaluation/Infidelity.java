package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.AttributionResult;
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
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Infidelity: how badly the attribution predicts what perturbations do to the target,
 * {@code E_I[(I . attribution - (f(x) - f(x - I)))^2]} over random perturbations {@code I}, with Captum's
 * definitions: optional normalisation by the best scale {@code beta = E[(I.a)(f(x)-f(x-I))] / E[(I.a)^2]}, and for
 * attributions already multiplied by the input (gradient x input, integrated gradients) the perturbation divided by
 * {@code x - baseline} (baseline 0; where {@code x} equals the baseline the division is by 1). Lower is better. The
 * default perturbation is Gaussian noise with a standard deviation of 0.1 of the pixel range; a custom
 * {@link Perturbation} (e.g. square removal) can be given.
 *
 * <p>Yeh, Hsieh, Suggala, Inouye &amp; Ravikumar, "On the (In)fidelity and Sensitivity of Explanations", NeurIPS
 * 2019, <a href="https://arxiv.org/abs/1901.09392">arXiv:1901.09392</a>.
 *
 * <pre>{@code
 * AttributionResult r = GradientXInput.of(model).attribute(x, Targets.predicted());
 * MetricResult inf = Infidelity.builder(model).multipliedByInputs(true).build().evaluate(x, r, Targets.predicted());
 * }</pre>
 */
public final class Infidelity {
    private static final Logger log = LoggerFactory.getLogger(Infidelity.class);

    /** Default perturbations per example (Captum's default). */
    public static final int DEFAULT_SAMPLES = 10;
    /** Default Gaussian noise, as a fraction of the pixel range. */
    public static final double DEFAULT_NOISE = 0.1;
    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    /** Makes one perturbed copy of an image. */
    @FunctionalInterface
    public interface Perturbation {
        /**
         * @param image one image {@code C*H*W} (row-major, model input space; do not modify)
         * @param c channels
         * @param h rows
         * @param w columns
         * @param rng seeded randomness
         * @return the perturbed image {@code x - I}
         */
        double[] perturb(double[] image, int c, int h, int w, SplittableRandom rng);
    }

    private final InterpretableModel model;
    private final int samples;
    private final Perturbation perturbation;
    private final String perturbationName;
    private final boolean normalize;
    private final boolean multipliedByInputs;
    private final long seed;
    private final ProgressListener progress;

    private Infidelity(Builder b) {
        this.model = b.model;
        this.samples = b.samples;
        double range = model.inputSpec().pixelMax() - model.inputSpec().pixelMin();
        double sd = b.noise * range;
        this.perturbation = b.perturbation != null ? b.perturbation : (img, c, h, w, rng) -> {
            double[] out = img.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] -= sd * Fill.gaussian(rng);
            }
            return out;
        };
        this.perturbationName = b.perturbation != null ? "custom" : "gaussian(sd=" + sd + ")";
        this.normalize = b.normalize;
        this.multipliedByInputs = b.multipliedByInputs;
        this.seed = b.seed;
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    /**
     * @param input NCHW batch (not modified)
     * @param attribution its attribution (the raw {@code [N, C, H, W]} array is used)
     * @param target the target the attribution explains
     * @return infidelity per example (lower is better)
     */
    public MetricResult evaluate(INDArray input, AttributionResult attribution, Target target) {
        INDArray x = model.spi().prepareInput(input);
        INDArray a = attribution.attributions();
        if (!java.util.Arrays.equals(a.shape(), x.shape())) {
            throw new IllegalArgumentException("The attribution's shape " + java.util.Arrays.toString(a.shape())
                    + " does not match the input " + java.util.Arrays.toString(x.shape())
                    + "; pass the result of an input attribution of this batch");
        }
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int size = c * h * w;
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        double[] xs = HostArrays.doubles(x);
        double[] as = HostArrays.doubles(a);
        double[][] dot = new double[samples][n];
        double[][] diff = new double[samples][n];
        ProgressTracker tracker = new ProgressTracker(log, "Infidelity (" + attribution.method() + ")", samples,
                progress);
        for (int s = 0; s < samples; s++) {
            double[] perturbed = new double[n * size];
            for (int i = 0; i < n; i++) {
                double[] img = java.util.Arrays.copyOfRange(xs, i * size, (i + 1) * size);
                double[] p = perturbation.perturb(img, c, h, w, new SplittableRandom(org.deeplearning4j.interpret.internal.Seeds.mix(seed, s)));
                if (p == null || p.length != size) {
                    throw new IllegalArgumentException("The perturbation must return " + size + " values");
                }
                System.arraycopy(p, 0, perturbed, i * size, size);
                double d = 0;
                for (int k = 0; k < size; k++) {
                    double pert = img[k] - p[k];
                    if (multipliedByInputs) {
                        pert = img[k] != 0 ? pert / img[k] : pert;
                    }
                    d += pert * as[i * size + k];
                }
                dot[s][i] = d;
            }
            INDArray v = model.values(Nd4j.create(perturbed, new long[] {n, c, h, w}, DataType.DOUBLE)
                    .castTo(x.dataType()), pinned.target);
            for (int i = 0; i < n; i++) {
                diff[s][i] = pinned.values.getDouble(i) - v.getDouble(i);
            }
            tracker.advance(1);
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double beta = 1;
            if (normalize) {
                double ad = 0;
                double aa = 0;
                for (int s = 0; s < samples; s++) {
                    ad += dot[s][i] * diff[s][i];
                    aa += dot[s][i] * dot[s][i];
                }
                beta = aa > 0 ? ad / aa : 0;
            }
            double sum = 0;
            for (int s = 0; s < samples; s++) {
                double e = beta * dot[s][i] - diff[s][i];
                sum += e * e;
            }
            out[i] = sum / samples;
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("samples", String.valueOf(samples));
        opts.put("perturbation", perturbationName);
        opts.put("normalize", String.valueOf(normalize));
        opts.put("multipliedByInputs", String.valueOf(multipliedByInputs));
        opts.put("seed", String.valueOf(seed));
        return new MetricResult("infidelity", attribution.method(), pinned.target.description(), opts, out, false);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private int samples = DEFAULT_SAMPLES;
        private double noise = DEFAULT_NOISE;
        private Perturbation perturbation;
        private boolean normalize;
        private boolean multipliedByInputs;
        private long seed = DEFAULT_SEED;
        private ProgressListener progress;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param n perturbations per example (default {@value #DEFAULT_SAMPLES})
         * @return this
         */
        public Builder samples(int n) {
            this.samples = n;
            return this;
        }

        /**
         * @param fraction Gaussian noise sd as a fraction of the pixel range (default 0.1)
         * @return this
         */
        public Builder noise(double fraction) {
            this.noise = fraction;
            return this;
        }

        /**
         * @param p a custom perturbation (replaces the Gaussian noise)
         * @return this
         */
        public Builder perturbation(Perturbation p) {
            this.perturbation = p;
            return this;
        }

        /**
         * @param b scale attributions by the best beta first (Captum's {@code normalize})
         * @return this
         */
        public Builder normalize(boolean b) {
            this.normalize = b;
            return this;
        }

        /**
         * @param b the attributions are already multiplied by the input (gradient x input, IG from a zero baseline):
         *          divide the perturbation by the input, as Captum's {@code multiply_by_inputs}
         * @return this
         */
        public Builder multipliedByInputs(boolean b) {
            this.multipliedByInputs = b;
            return this;
        }

        /**
         * @param seed seed of the perturbations (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param l told after each perturbation round
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the metric */
        public Infidelity build() {
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1, got " + samples);
            }
            if (!(noise > 0) || !Double.isFinite(noise)) {
                throw new IllegalArgumentException("noise must be > 0 (fraction of the pixel range), got " + noise);
            }
            return new Infidelity(this);
        }
    }
}
