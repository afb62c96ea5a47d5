package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.Gaussians;
import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.internal.Seeds;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * GradientSHAP (expected gradients): the average, over {@code samples} draws, of
 * {@code grad f(b + a (x' - b)) * (x' - b)} where the baseline {@code b} is drawn uniformly from a baseline
 * distribution (given baselines and/or reference images, e.g. a sample of training images), {@code a} uniformly from
 * [0, 1], and {@code x' = x + noise} with Gaussian noise of standard deviation {@code noiseStdev} (in the model's input
 * space; default 0). It estimates integrated gradients averaged over the baselines, i.e. SHAP values under a
 * linearity assumption; the convergence delta is {@code sum(attributions) - (f(x) - mean f(b))} over the drawn
 * baselines (zero for a linear model without noise).
 *
 * <p>Seeded: draw {@code s} (baseline, {@code a}, noise) comes from its own stream, so the result depends neither on
 * the chunk size nor on the batch an image is in.
 *
 * <p>Lundberg &amp; Lee, "A Unified Approach to Interpreting Model Predictions", NeurIPS 2017,
 * <a href="https://arxiv.org/abs/1705.07874">arXiv:1705.07874</a>; Erion, Janizek, Sturmfels, Lundberg &amp; Lee,
 * "Improving performance of deep learning models with axiomatic attribution priors and expected gradients", Nature
 * Machine Intelligence 2021, <a href="https://arxiv.org/abs/1906.10670">arXiv:1906.10670</a>.
 *
 * <pre>{@code
 * AttributionResult r = GradientShap.builder(model).referenceImages(trainingSample).samples(50).build()
 *         .attribute(images, Targets.predicted());
 * }</pre>
 */
public final class GradientShap implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(GradientShap.class);
    /** Default number of draws per image (Captum's default). */
    public static final int DEFAULT_SAMPLES = 5;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    private final InterpretableModel model;
    private final int samples;
    private final double noiseStdev;
    private final List<Baseline> baselines;
    private final INDArray references;
    private final long seed;
    private final int maxBatch;
    private final ChannelReduction reduction;
    private final ProgressListener progress;

    private GradientShap(Builder b, List<Baseline> baselines) {
        this.model = b.model;
        this.samples = b.samples;
        this.noiseStdev = b.noiseStdev;
        this.baselines = List.copyOf(baselines);
        this.references = b.references == null ? null : b.references.dup();
        this.seed = b.seed;
        this.maxBatch = b.internalBatch > 0 ? b.internalBatch : model.maxBatchSize();
        this.reduction = b.reduction;
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @return GradientSHAP with 5 draws from the zero baseline
     */
    public static GradientShap of(InterpretableModel model) {
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
        return "GradientShap";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        int n = (int) x.size(0);
        long[] one = {1, x.size(1), x.size(2), x.size(3)};
        int size = (int) (x.size(1) * x.size(2) * x.size(3));
        INDArray refs = references == null ? null : model.spi().prepareInput(references).castTo(x.dataType());
        if (refs != null && !Arrays.equals(Arrays.copyOfRange(refs.shape(), 1, 4), Arrays.copyOfRange(one, 1, 4))) {
            throw new IllegalArgumentException("reference images are " + Arrays.toString(refs.shape())
                    + " but the input images are " + Arrays.toString(x.shape()));
        }
        List<INDArray> made = new ArrayList<>();
        for (Baseline b : baselines) {
            INDArray x0 = b.create(x, model);
            if (!Arrays.equals(x0.shape(), x.shape())) {
                throw new IllegalArgumentException("Baseline '" + b.description() + "' has shape "
                        + Arrays.toString(x0.shape()) + ", expected " + Arrays.toString(x.shape()));
            }
            made.add(x0);
        }
        int candidates = made.size() + (refs == null ? 0 : (int) refs.size(0));
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        ProgressTracker tracker = new ProgressTracker(log, "GradientSHAP (draws)", (long) n * samples, progress);
        INDArray attr = Nd4j.create(x.dataType(), x.shape());
        INDArray delta = Nd4j.create(x.dataType(), n);
        for (int i = 0; i < n; i++) {
            final int ex = i;
            INDArray xi = x.get(NDArrayIndex.interval(i, i + 1));
            Target ti = pinned.target.slice(i, i + 1);
            java.util.function.IntFunction<INDArray> candidate = k -> k < made.size()
                    ? made.get(k).get(NDArrayIndex.interval(ex, ex + 1))
                    : refs.get(NDArrayIndex.interval(k - made.size(), k - made.size() + 1));
            INDArray acc = attr.get(NDArrayIndex.interval(i, i + 1));
            int[] drawn = new int[samples];
            for (int s0 = 0; s0 < samples; s0 += maxBatch) {
                int k = Math.min(maxBatch, samples - s0);
                INDArray points = Nd4j.create(x.dataType(), k, one[1], one[2], one[3]);
                INDArray steps = Nd4j.create(x.dataType(), k, one[1], one[2], one[3]);
                double[] noise = new double[size];
                for (int j = 0; j < k; j++) {
                    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, s0 + j));
                    int pick = rng.nextInt(candidates);
                    drawn[s0 + j] = pick;
                    double a = rng.nextDouble();
                    INDArray noisy = xi;
                    if (noiseStdev > 0) {
                        Gaussians.fill(rng, noise, 0, size);
                        noisy = xi.add(Nd4j.createFromArray(noise).reshape(one).muli(noiseStdev)
                                .castTo(x.dataType()));
                    }
                    INDArray b = candidate.apply(pick);
                    INDArray step = noisy.sub(b);
                    steps.get(NDArrayIndex.interval(j, j + 1)).assign(step);
                    points.get(NDArrayIndex.interval(j, j + 1)).assign(b.add(step.mul(a)));
                }
                INDArray g = model.gradient(points, ti).gradient();
                acc.addi(g.muli(steps).sum(true, 0));
                tracker.advance(k);
            }
            acc.divi(samples);
            // f(b) of every distinct drawn baseline, once each, for the convergence delta
            TreeSet<Integer> distinct = Arrays.stream(drawn).boxed().collect(Collectors.toCollection(TreeSet::new));
            Map<Integer, Double> fb = new LinkedHashMap<>();
            List<Integer> order = new ArrayList<>(distinct);
            for (int s0 = 0; s0 < order.size(); s0 += maxBatch) {
                List<Integer> part = order.subList(s0, Math.min(order.size(), s0 + maxBatch));
                INDArray batch = Nd4j.concat(0, part.stream().map(candidate::apply).toArray(INDArray[]::new));
                INDArray v = model.values(batch, ti);
                for (int j = 0; j < part.size(); j++) {
                    fb.put(part.get(j), v.getDouble(j));
                }
            }
            double meanFb = Arrays.stream(drawn).mapToDouble(fb::get).average().orElse(0);
            delta.putScalar(i, acc.sumNumber().doubleValue() - (pinned.values.getDouble(i) - meanFb));
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("samples", String.valueOf(samples));
        opts.put("noiseStdev", String.valueOf(noiseStdev));
        opts.put("baselines", baselines.stream().map(Baseline::description).collect(Collectors.joining(", "))
                + (refs == null ? "" : (baselines.isEmpty() ? "" : ", ") + refs.size(0) + " reference images"));
        opts.put("seed", String.valueOf(seed));
        opts.put("channelReduction", reduction.name());
        return new AttributionResult(name(), pinned.target.description(), opts, attr, reduction.reduce(attr),
                pinned.values, reduction.isSigned(), delta);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private int samples = DEFAULT_SAMPLES;
        private double noiseStdev;
        private List<Baseline> baselines = new ArrayList<>(List.of(Baselines.zeros()));
        private boolean baselinesGiven;
        private INDArray references;
        private long seed = DEFAULT_SEED;
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
         * @param n draws per image (default {@value #DEFAULT_SAMPLES})
         * @return this
         */
        public Builder samples(int n) {
            this.samples = n;
            return this;
        }

        /**
         * @param sd standard deviation of the input noise, in the model's input space (default 0)
         * @return this
         */
        public Builder noiseStdev(double sd) {
            this.noiseStdev = sd;
            return this;
        }

        /**
         * @param b baselines to draw from (default zeros); with {@link #referenceImages} both are drawn from
         * @return this
         */
        public Builder baselines(Baseline... b) {
            this.baselines = new ArrayList<>(Arrays.asList(b));
            this.baselinesGiven = true;
            return this;
        }

        /**
         * @param images reference images {@code [B, C, H, W]} to draw baselines from (e.g. a random sample of the
         *        training data), in the model's input space; replaces the default zero baseline unless
         *        {@link #baselines} is also given
         * @return this
         */
        public Builder referenceImages(INDArray images) {
            this.references = images;
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
         * @param n most draws per gradient pass (default: the model's maxBatchSize)
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
         * @param l told after each batch of draws (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the method */
        public GradientShap build() {
            // reference images replace the default zero baseline
            List<Baseline> effective = references != null && !baselinesGiven ? List.of() : baselines;
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1, got " + samples);
            }
            if (!(noiseStdev >= 0) || Double.isInfinite(noiseStdev)) {
                throw new IllegalArgumentException("noiseStdev must be >= 0, got " + noiseStdev);
            }
            if (baselines.contains(null)) {
                throw new IllegalArgumentException("baselines must not contain null");
            }
            if (references != null && (references.rank() != 4 || references.size(0) < 1)) {
                throw new IllegalArgumentException("referenceImages must be a non-empty [B, C, H, W] batch, got "
                        + Arrays.toString(references.shape()));
            }
            if (effective.isEmpty() && references == null) {
                throw new IllegalArgumentException("give at least one baseline or reference image");
            }
            if (internalBatch == 0 || internalBatch < -1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + internalBatch);
            }
            if (reduction == null) {
                throw new IllegalArgumentException("channelReduction must not be null");
            }
            return new GradientShap(this, effective);
        }
    }
}
