package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.internal.engine.InputPass;
import org.deeplearning4j.interpret.internal.engine.Seed;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Feature visualization by optimization: gradient ascent on an image parameterization to maximise an
 * {@link Objective}, through random transformations, with Adam. A batch of random restarts is optimised at once.
 *
 * <p>Erhan et al., "Visualizing Higher-Layer Features of a Deep Network", 2009; Simonyan et al., "Deep Inside
 * Convolutional Networks", 2014, <a href="https://arxiv.org/abs/1312.6034">arXiv:1312.6034</a>; Olah, Mordvintsev
 * &amp; Schubert, "Feature Visualization", Distill 2017, <a href="https://distill.pub/2017/feature-visualization/">
 * distill.pub/2017/feature-visualization</a>. Defaults follow Lucid: Adam with learning rate 0.05, 512 steps, the
 * decorrelated Fourier parameterization and the standard transforms (scaled to the model's input size).
 *
 * <pre>{@code
 * FeatureVisResult r = FeatureVisualization.builder().seed(7).build()
 *         .run(model, Objectives.channel("block4_conv3", 12));
 * }</pre>
 * The model is only read: its parameters, updater state and listeners are untouched.
 */
public final class FeatureVisualization {
    private static final Logger log = LoggerFactory.getLogger(FeatureVisualization.class);
    /** Lucid's default number of optimisation steps. */
    public static final int DEFAULT_STEPS = 512;
    /** Lucid's default Adam learning rate. */
    public static final double DEFAULT_LEARNING_RATE = 0.05;
    /** Default seed. */
    public static final long DEFAULT_SEED = 0;
    /** Batch size that means "one image, or one per part of a per-image objective". */
    public static final int AUTO_BATCH = 0;
    /** Channels optimised together by {@link #channels}. */
    public static final int DEFAULT_CHANNEL_BATCH = 8;

    private final Parameterization parameterization;
    private final Transform transforms;
    private final int steps;
    private final double learningRate;
    private final int batch;
    private final long seed;
    private final int[] thresholds;
    private final StepListener listener;
    private final boolean logProgress;
    private final org.deeplearning4j.interpret.progress.ProgressListener progress;

    private FeatureVisualization(Builder b) {
        this.parameterization = b.parameterization;
        this.transforms = b.transforms;
        this.steps = b.steps;
        this.learningRate = b.learningRate;
        this.batch = b.batch;
        this.seed = b.seed;
        this.thresholds = b.thresholds;
        this.listener = b.listener;
        this.progress = b.progress;
        this.logProgress = b.logProgress;
    }

    /** @return a builder with Lucid's defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Called after every step with the images and objective values; for live displays and custom stopping. */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step steps done (1 after the first update)
         * @param totalSteps steps planned
         * @param values objective per image at the step just taken (through that step's transforms)
         * @param images the current display images {@code [N, C, H, W]} (a copy)
         */
        void onStep(int step, int totalSteps, double[] values, INDArray images);
    }

    /**
     * @param model the model
     * @param objective what to maximise
     * @return the optimised images, starting from random parameters
     */
    public FeatureVisResult run(InterpretableModel model, Objective objective) {
        return run(model, objective, null);
    }

    /**
     * @param model the model
     * @param objective what to maximise
     * @param startImages display images {@code [N, C, H, W]} in {@code [0, 1]} to start from (e.g. a photo, for
     *                    DeepDream), or null for random parameters
     * @return the optimised images
     */
    public FeatureVisResult run(InterpretableModel model, Objective objective, INDArray startImages) {
        Setup s = setup(model, objective, startImages, batch);
        return optimise(model, objective, s, seed);
    }

    /**
     * Visualises several channels of a layer, {@link #DEFAULT_CHANNEL_BATCH} at a time (or the builder's {@code images}),
     * each image maximising its own channel.
     *
     * @param model the model
     * @param layer layer name
     * @param channels channel indices
     * @return one image per channel, in order
     */
    public FeatureVisResult channels(InterpretableModel model, String layer, int... channels) {
        if (channels == null || channels.length == 0) {
            throw new IllegalArgumentException("channels needs at least one channel index");
        }
        int chunk = batch > AUTO_BATCH ? batch : DEFAULT_CHANNEL_BATCH;
        List<FeatureVisResult> parts = new ArrayList<>();
        for (int from = 0; from < channels.length; from += chunk) {
            int[] part = Arrays.copyOfRange(channels, from, Math.min(channels.length, from + chunk));
            Objective o = Objectives.channels(layer, part);
            parts.add(optimise(model, o, setup(model, o, null, part.length), seed + from));
        }
        return FeatureVisResult.join(Objectives.channels(layer, channels).description(), parts);
    }

    /** Everything checked and prepared before the first step. */
    private static final class Setup {
        List<String> layers;
        int n;
        long c;
        long h;
        long w;
        INDArray start;
    }

    private Setup setup(InterpretableModel model, Objective objective, INDArray startImages, int batch) {
        if (model == null || objective == null) {
            throw new IllegalArgumentException("model and objective must not be null");
        }
        InputSpec spec = model.inputSpec();
        if (!spec.hasSpatialSize() || spec.channels() <= 0) {
            throw new IllegalArgumentException("Feature visualization needs the model's input shape; pass "
                    + "Models.builder(net).inputSpec(InputSpec.builder().shape(c, h, w).build())");
        }
        Set<String> layers = new LinkedHashSet<>();
        objective.collectLayers(model, layers); // unknown layers fail here, listing the valid names
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("The objective '" + objective.description() + "' reads no layer; "
                    + "penalties such as L2 need a layer objective to go with them, e.g. Objectives.channel(...)"
                    + ".minus(Objectives.l2().times(0.05))");
        }
        Setup s = new Setup();
        s.layers = List.copyOf(layers);
        s.c = spec.channels();
        s.h = spec.height();
        s.w = spec.width();
        if (startImages != null) {
            long[] expected = {startImages.size(0), s.c, s.h, s.w};
            if (startImages.rank() != 4 || !Arrays.equals(expected, startImages.shape())) {
                throw new IllegalArgumentException("Start images must be display images [N, " + s.c + ", " + s.h
                        + ", " + s.w + "], got " + Arrays.toString(startImages.shape()));
            }
            if (BooleanIndexing.or(startImages, Conditions.isNan())
                    || startImages.minNumber().doubleValue() < 0 || startImages.maxNumber().doubleValue() > 1) {
                throw new IllegalArgumentException("Start images must be display images with values in [0, 1] "
                        + "(use InputSpec.toDisplay to convert model inputs)");
            }
            s.start = startImages.castTo(model.dataType());
        }
        int wanted = objective instanceof PerImage ? ((PerImage) objective).size() : 1;
        s.n = startImages != null ? (int) startImages.size(0) : batch > AUTO_BATCH ? batch : wanted;
        // Validate shapes, channels, positions and the softmax requirement on a cheap probe before any step.
        Map<String, INDArray> acts = model.activations(Nd4j.zeros(model.dataType(), 1, s.c, s.h, s.w),
                s.layers.toArray(new String[0]));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        acts.forEach((k, v) -> {
            long[] sh = v.shape().clone();
            sh[0] = s.n;
            shapes.put(k, sh);
        });
        objective.validate(model, shapes);
        return s;
    }

    /**
     * The seeds of one step at the objective's layers and the backward pass from them. A gradient that does not
     * depend on the activations, or depends on them affinely with a scalar per layer (DeepDream), is seeded from
     * zero activations of the layers' known shapes and completed inside the single pass; any other (directions,
     * diversity) needs the activations of the whole batch first.
     *
     * @return the activations of every objective layer, the input gradient and the image terms' gradient (which
     *         depends on the image alone, so the seeding evaluation already holds it)
     */
    private static Step backward(InterpretableModel model, Objective objective, List<String> layers, INDArray x,
            INDArray image) {
        long n = x.size(0);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String l : layers) {
            long[] s = model.layer(l).outputShape();
            if (s != null) {
                long[] full = new long[s.length + 1];
                full[0] = n;
                System.arraycopy(s, 0, full, 1, s.length);
                shapes.put(l, full);
            }
        }
        Map<String, Double> scales = new LinkedHashMap<>();
        boolean known = shapes.size() == layers.size();
        boolean affine = known && objective.dependsOnActivations()
                && objective.addAffineScales(model, shapes, scales, 1.0);
        boolean forwardFirst = !known || (objective.dependsOnActivations() && !affine);
        Map<String, INDArray> from;
        if (forwardFirst) {
            from = model.activations(x, layers.toArray(new String[0]));
        } else {
            from = new LinkedHashMap<>();
            for (String l : layers) {
                from.put(l, Nd4j.zeros(model.dataType(), shapes.get(l)));
            }
        }
        Evaluation seeding = new Evaluation(model, from, image);
        objective.gradient(seeding, 1.0);
        List<Seed> seeds = new ArrayList<>();
        for (String l : layers) {
            INDArray g = seeding.layerGradients().get(l);
            double scale = affine ? scales.getOrDefault(l, 0.0) : 0.0;
            if (g == null && scale != 0) {
                g = Nd4j.zerosLike(from.get(l));
            }
            if (g != null) {
                seeds.add(new Seed(l, g, scale));
            }
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("The objective '" + objective.description() + "' gives no gradient "
                    + "at any of its layers " + layers);
        }
        InputPass pass = model.spi().backward(x, seeds, ReluRule.NORMAL);
        Map<String, INDArray> acts = new LinkedHashMap<>(pass.activations());
        List<String> missing = layers.stream().filter(l -> !acts.containsKey(l)).collect(Collectors.toList());
        if (!missing.isEmpty()) {
            // layers without a seed: their activations from the forward pass, or one now
            Map<String, INDArray> rest = forwardFirst ? from : model.activations(x, missing.toArray(new String[0]));
            missing.forEach(l -> acts.put(l, rest.get(l)));
        }
        return new Step(acts, pass.gradient(), seeding.imageGradient());
    }

    /** One step's pass: the objective layers' activations and the gradients w.r.t. model input and display image. */
    private record Step(Map<String, INDArray> activations, INDArray inputGradient, INDArray imageGradient) {
    }

    /**
     * The objective per image and its gradient with respect to the parameters, through the parameterization, one
     * draw of the transforms and the model's preprocessing: the chain every step differentiates.
     *
     * @return element 0: values {@code [N]}; element 1: {@code d sum(values) / d params}
     */
    static INDArray[] valueAndGradient(InterpretableModel model, Objective objective, List<String> layers,
            Parameterization parameterization, INDArray params, Sampler sampler) {
        return valueAndGradient(model, objective, layers, parameterization, params, parameterization.image(params),
                sampler);
    }

    /** As above, with {@code image = parameterization.image(params)} already computed. */
    static INDArray[] valueAndGradient(InterpretableModel model, Objective objective, List<String> layers,
            Parameterization parameterization, INDArray params, INDArray image, Sampler sampler) {
        InputSpec spec = model.inputSpec();
        Step step = backward(model, objective, layers, spec.toModelInput(sampler.apply(image)), image);
        INDArray values = objective.value(new Evaluation(model, step.activations(), image));
        // the image terms (penalties) differentiate the display image directly, beside the network's gradient
        INDArray gImage = sampler.adjoint(spec.displayGradient(step.inputGradient())).addi(step.imageGradient());
        return new INDArray[] {values, parameterization.backward(params, image, gImage)};
    }

    /**
     * Evaluates an objective on display images, without transforms.
     *
     * @param model the model
     * @param objective the objective
     * @param displayImages {@code [N, C, H, W]} in [0, 1], RGB
     * @return the objective per image
     */
    public static INDArray evaluate(InterpretableModel model, Objective objective, INDArray displayImages) {
        if (model == null || objective == null || displayImages == null) {
            throw new IllegalArgumentException("model, objective and images must not be null");
        }
        Set<String> layers = new LinkedHashSet<>();
        objective.collectLayers(model, layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("The objective '" + objective.description() + "' reads no layer");
        }
        INDArray img = displayImages.castTo(model.dataType());
        Map<String, INDArray> acts = model.activations(model.inputSpec().toModelInput(img),
                layers.toArray(new String[0]));
        return objective.value(new Evaluation(model, acts, img));
    }

    private FeatureVisResult optimise(InterpretableModel model, Objective objective, Setup s, long runSeed) {
        INDArray params = s.start != null ? parameterization.fromImage(s.start)
                : parameterization.init(s.n, s.c, s.h, s.w, runSeed, model.dataType());
        Transform t = transforms != null ? transforms : Transforms.standard(Math.min(s.h, s.w));
        INDArray m = Nd4j.zerosLike(params);
        INDArray v = Nd4j.zerosLike(params);
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        Random rng = new Random(runSeed * 0x9E3779B97F4A7C15L + 1);
        Map<Integer, INDArray> snapshots = new TreeMap<>();
        double[] history = new double[steps];
        Set<Integer> keep = new LinkedHashSet<>();
        for (int k : thresholds) {
            keep.add(k);
        }
        INDArray image = parameterization.image(params); // computed once per step, after each update
        if (keep.contains(0)) {
            snapshots.put(0, image);
        }
        org.deeplearning4j.interpret.progress.ProgressTracker tracker = new org.deeplearning4j.interpret.progress
                .ProgressTracker(logProgress ? log : org.slf4j.helpers.NOPLogger.NOP_LOGGER, "Feature visualization "
                + objective.description() + " (steps)", steps, progress);
        for (int step = 1; step <= steps; step++) {
            Warp[] warps = new Warp[s.n];
            for (int i = 0; i < s.n; i++) {
                warps[i] = t.draw(rng, s.h, s.w);
            }
            INDArray[] vg = valueAndGradient(model, objective, s.layers, parameterization, params, image,
                    new Sampler(warps, s.h, s.w));
            INDArray g = vg[1];
            if (!Double.isFinite(g.sumNumber().doubleValue())) { // one pass: NaN and infinity both propagate
                throw new IllegalStateException("The objective's gradient became NaN or infinite at step " + step
                        + " (" + objective.description() + "); lower the learning rate or add a penalty");
            }
            // Adam ascent
            m.muli(b1).addi(g.mul(1 - b1));
            v.muli(b2).addi(g.mul(g).muli(1 - b2));
            double c1 = 1 - Math.pow(b1, step);
            double c2 = 1 - Math.pow(b2, step);
            INDArray update = m.div(c1).divi(org.nd4j.linalg.ops.transforms.Transforms.sqrt(v.div(c2), false)
                    .addi(eps)).muli(learningRate);
            params.addi(update);
            image = parameterization.image(params);
            double[] vals = vg[0].toDoubleVector();
            history[step - 1] = Arrays.stream(vals).average().orElse(Double.NaN);
            if (keep.contains(step) && step < steps) {
                snapshots.put(step, image);
            }
            if (listener != null) {
                listener.onStep(step, steps, vals, image.dup());
            }
            tracker.advance(1);
        }
        INDArray finalImages = image;
        snapshots.put(steps, finalImages);
        INDArray finalValues = evaluate(model, objective, finalImages);
        return new FeatureVisResult(objective.description(), parameterization.description(), t.description(),
                runSeed, steps, learningRate, finalImages, finalValues, history, snapshots);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private Parameterization parameterization = Parameterizations.defaultParameterization();
        private Transform transforms;
        private int steps = DEFAULT_STEPS;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private int batch = AUTO_BATCH;
        private long seed = DEFAULT_SEED;
        private int[] thresholds = new int[0];
        private StepListener listener;
        private org.deeplearning4j.interpret.progress.ProgressListener progress;
        private boolean logProgress = true;

        private Builder() {
        }

        /**
         * @param p image parameterization (default decorrelated Fourier)
         * @return this
         */
        public Builder parameterization(Parameterization p) {
            this.parameterization = p;
            return this;
        }

        /**
         * @param t transforms (default {@link Transforms#standard(long)} for the model's input size; use
         *          {@link Transforms#none()} to switch them off)
         * @return this
         */
        public Builder transforms(Transform t) {
            this.transforms = t;
            return this;
        }

        /**
         * @param steps optimisation steps (default {@value #DEFAULT_STEPS})
         * @return this
         */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * @param lr Adam learning rate (default {@value #DEFAULT_LEARNING_RATE})
         * @return this
         */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /**
         * @param n images optimised together: random restarts (default: 1, or one per part of a per-image
         *          objective)
         * @return this
         */
        public Builder images(int n) {
            this.batch = n;
            return this;
        }

        /**
         * @param seed random seed for the initial parameters and the transforms
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param steps steps after which to keep a snapshot (0 = the initial image)
         * @return this
         */
        public Builder thresholds(int... steps) {
            this.thresholds = steps.clone();
            return this;
        }

        /**
         * @param l called after every step
         * @return this
         */
        public Builder stepListener(StepListener l) {
            this.listener = l;
            return this;
        }

        /**
         * @param l told after every step (steps done, of all, with an ETA)
         * @return this
         */
        public Builder progress(org.deeplearning4j.interpret.progress.ProgressListener l) {
            this.progress = l;
            return this;
        }

        /**
         * @param on log progress through SLF4J, every 10% or 10 s with an ETA (default true)
         * @return this
         */
        public Builder logProgress(boolean on) {
            this.logProgress = on;
            return this;
        }

        /** @return the configured optimiser */
        public FeatureVisualization build() {
            if (parameterization == null) {
                throw new IllegalArgumentException("parameterization must not be null");
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
            }
            if (batch < 0) {
                throw new IllegalArgumentException("images must be >= 1 (or AUTO_BATCH), got " + batch);
            }
            for (int k : thresholds) {
                if (k < 0 || k > steps) {
                    throw new IllegalArgumentException("Threshold " + k + " is outside 0.." + steps + " steps");
                }
            }
            return new FeatureVisualization(this);
        }
    }
}
