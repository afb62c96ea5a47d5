package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.internal.HostArrays;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs a chosen set of attribution methods and metrics over a dataset and collects one scorecard: per method and
 * metric the mean and spread over the examples, the mean deletion/insertion curves against random order, the sanity
 * checks' verdicts and an example map per method. Each image is explained for the class the model predicts (its
 * logit); the curves follow that class's probability (the logit when the model has no softmax output). Render it with
 * {@link org.deeplearning4j.interpret.render.ScorecardPage}; the CLI's {@code interpret evaluate} does both.
 *
 * <p>The sanity check (cascading parameter randomization) runs on the first batch only: it explains that batch once
 * per layer. The arrays held at once are bounded by the batch and chunk sizes, not by the number of images; at
 * most {@code limit} images are used.
 *
 * <pre>{@code
 * ScorecardResult s = MethodScorecard.builder(model)
 *         .method("Saliency", Saliency::of).method("Integrated gradients", IntegratedGradients::of)
 *         .method("Occlusion", m -> Occlusion.builder(m).window(4).stride(2).build())
 *         .build().run(testIterator);
 * ScorecardPage.write(s, model.inputSpec(), new File("scorecard.html"));
 * }</pre>
 */
public final class MethodScorecard {
    private static final Logger log = LoggerFactory.getLogger(MethodScorecard.class);

    /** Default number of images scored. */
    public static final int DEFAULT_LIMIT = 32;

    /** The metrics a scorecard can run. */
    public enum Metric {
        /** Deletion curve area (lower is better). */
        DELETION,
        /** Insertion curve area (higher is better). */
        INSERTION,
        /** ROAD: deletion with noisy linear imputation (lower is better). */
        ROAD,
        /** Cascading model-parameter randomization (the first batch). */
        RANDOMIZATION,
        /** Infidelity under Gaussian noise (lower is better). */
        INFIDELITY,
        /** Max- and average sensitivity (lower is better). */
        SENSITIVITY,
        /** Completeness gap against a zero baseline (lower is better). */
        COMPLETENESS,
        /** Pointing game, energy pointing game, relevance rank accuracy (needs object masks; higher is better). */
        LOCALIZATION
    }

    private final InterpretableModel model;
    private final Map<String, Function<InterpretableModel, Attribution>> methods;
    private final Set<Metric> metrics;
    private final int limit;
    private final int steps;
    private final int randomOrders;
    private final long seed;
    private final ProgressListener progress;

    private MethodScorecard(Builder b) {
        this.model = b.model;
        this.methods = new LinkedHashMap<>(b.methods);
        this.metrics = EnumSet.copyOf(b.metrics);
        this.limit = b.limit;
        this.steps = b.steps;
        this.randomOrders = b.randomOrders;
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
     * @param data labelled or unlabelled batches (only the features are used; reset first when it supports it)
     * @return the scorecard
     */
    public ScorecardResult run(DataSetIterator data) {
        return run(org.deeplearning4j.interpret.internal.Features.of(data));
    }

    /**
     * @param input one NCHW batch
     * @return the scorecard
     */
    public ScorecardResult run(INDArray input) {
        return run(List.of(input).iterator());
    }

    /**
     * @param input one NCHW batch
     * @param masks its object masks {@code [N, H, W]} (non-zero = object), for {@link Metric#LOCALIZATION}
     * @return the scorecard
     */
    public ScorecardResult run(INDArray input, INDArray masks) {
        return run(List.of(input).iterator(), List.of(masks).iterator());
    }

    /**
     * @param batches NCHW batches, e.g. an {@link org.deeplearning4j.interpret.dataset.ImageFolder}'s iterator
     * @return the scorecard
     */
    public ScorecardResult run(Iterator<INDArray> batches) {
        return run(batches, null);
    }

    /**
     * @param batches NCHW batches
     * @param masks object masks {@code [N, H, W]} for each batch, for {@link Metric#LOCALIZATION} (or null)
     * @return the scorecard
     */
    public ScorecardResult run(Iterator<INDArray> batches, Iterator<INDArray> masks) {
        if (batches == null || !batches.hasNext()) {
            throw new IllegalArgumentException("No images to score: the data is empty");
        }
        if (metrics.contains(Metric.LOCALIZATION) && masks == null) {
            throw new IllegalArgumentException("LOCALIZATION needs object masks: call run(batches, masks) with one "
                    + "[N, H, W] mask array per batch, or drop the metric");
        }
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        Map<String, Map<String, List<double[][]>>> curves = new LinkedHashMap<>();
        Map<String, RandomizationResult> sanity = new LinkedHashMap<>();
        Map<String, INDArray> exampleMaps = new LinkedHashMap<>();
        Map<String, Boolean> signed = new LinkedHashMap<>();
        double[] fractions = null;
        INDArray exampleInput = null;
        int done = 0;
        ProgressTracker tracker = new ProgressTracker(log, "Scorecard", (long) limit * methods.size(), progress);
        while (batches.hasNext() && done < limit) {
            INDArray batch = batches.next();
            INDArray mask = null;
            if (metrics.contains(Metric.LOCALIZATION)) {
                if (!masks.hasNext()) {
                    throw new IllegalArgumentException("Fewer mask arrays than image batches: give one per batch");
                }
                mask = masks.next();
                if (mask == null || mask.rank() != 3 || mask.size(0) != batch.size(0)) {
                    throw new IllegalArgumentException("Masks for a batch of " + batch.size(0) + " images must be ["
                            + batch.size(0) + ", H, W], got " + (mask == null ? "null"
                            : java.util.Arrays.toString(mask.shape())));
                }
            }
            if (batch.size(0) > limit - done) {
                batch = batch.get(NDArrayIndex.interval(0, limit - done));
                mask = mask == null ? null : mask.get(NDArrayIndex.interval(0, limit - done));
            }
            INDArray x = model.spi().prepareInput(batch);
            int n = (int) x.size(0);
            int[] cls = model.logits(x).argMax(1).toIntVector();
            Target explain = Targets.logits(cls);
            Target follow = model.spi().softmaxOutput() ? Targets.probabilities(cls) : Targets.logits(cls);
            if (exampleInput == null) {
                exampleInput = x.get(NDArrayIndex.interval(0, 1)).dup();
            }
            for (Map.Entry<String, Function<InterpretableModel, Attribution>> m : methods.entrySet()) {
                Attribution a = m.getValue().apply(model);
                AttributionResult r = a.attribute(x, explain);
                exampleMaps.putIfAbsent(m.getKey(), r.map(0));
                signed.putIfAbsent(m.getKey(), r.isSigned());
                Map<String, List<Double>> mv = values.computeIfAbsent(m.getKey(), k -> new LinkedHashMap<>());
                Map<String, List<double[][]>> mc = curves.computeIfAbsent(m.getKey(), k -> new LinkedHashMap<>());
                List<Curves> cs = new ArrayList<>();
                if (metrics.contains(Metric.DELETION) || metrics.contains(Metric.INSERTION)) {
                    List<DeletionInsertion.Kind> kinds = new ArrayList<>();
                    if (metrics.contains(Metric.DELETION)) {
                        kinds.add(DeletionInsertion.Kind.DELETION);
                    }
                    if (metrics.contains(Metric.INSERTION)) {
                        kinds.add(DeletionInsertion.Kind.INSERTION);
                    }
                    DeletionInsertion.Result di = DeletionInsertion.builder(model).steps(steps)
                            .randomOrders(randomOrders).seed(seed).kinds(kinds.toArray(new DeletionInsertion.Kind[0]))
                            .build().evaluate(x, r, follow);
                    if (di.hasDeletion()) {
                        cs.add(di.deletion());
                    }
                    if (di.hasInsertion()) {
                        cs.add(di.insertion());
                    }
                }
                if (metrics.contains(Metric.ROAD)) {
                    cs.add(DeletionInsertion.road(model).steps(steps).randomOrders(randomOrders).seed(seed).build()
                            .evaluate(x, r, follow).deletion());
                }
                for (Curves c : cs) {
                    fractions = c.fractions();
                    add(mv, c.kind() + " AUC", c.auc());
                    add(mv, c.kind() + " AUC (random order)", c.randomAuc());
                    List<double[][]> rows = mc.computeIfAbsent(c.kind(), k -> new ArrayList<>());
                    rows.add(new double[][] {HostArrays.doubles(c.curves()), HostArrays.doubles(c.randomCurves())});
                }
                if (metrics.contains(Metric.INFIDELITY)) {
                    add(mv, Infidelity.builder(model).seed(seed).build().evaluate(x, r, explain));
                }
                if (metrics.contains(Metric.SENSITIVITY)) {
                    for (MetricResult s : Sensitivity.builder(model, a).seed(seed).build().evaluate(x, explain)) {
                        add(mv, s);
                    }
                }
                if (metrics.contains(Metric.COMPLETENESS)) {
                    add(mv, Completeness.evaluate(model, x, r, explain, Baselines.zeros()));
                }
                if (metrics.contains(Metric.LOCALIZATION)) {
                    for (MetricResult l : Localization.evaluate(r, mask, 0)) {
                        add(mv, l);
                    }
                }
                if (metrics.contains(Metric.RANDOMIZATION) && !sanity.containsKey(m.getKey())) {
                    sanity.put(m.getKey(), ParameterRandomization.builder(model, m.getValue()).seed(seed).build()
                            .evaluate(x, explain));
                }
                tracker.advance(n);
            }
            done += n;
        }
        Map<String, Map<String, MetricResult>> table = new LinkedHashMap<>();
        Map<String, Map<String, Curves>> meanCurves = new LinkedHashMap<>();
        for (String m : methods.keySet()) {
            Map<String, MetricResult> row = new LinkedHashMap<>();
            for (Map.Entry<String, List<Double>> e : values.get(m).entrySet()) {
                row.put(e.getKey(), new MetricResult(e.getKey(), m, "predicted class", Map.of(),
                        e.getValue().stream().mapToDouble(Double::doubleValue).toArray(), higherIsBetter(e.getKey())));
            }
            table.put(m, row);
            Map<String, Curves> mc = new LinkedHashMap<>();
            for (Map.Entry<String, List<double[][]>> e : curves.get(m).entrySet()) {
                mc.put(e.getKey(), concat(e.getKey(), m, fractions, e.getValue()));
            }
            meanCurves.put(m, mc);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("images", String.valueOf(done));
        opts.put("steps", String.valueOf(steps));
        opts.put("randomOrders", String.valueOf(randomOrders));
        opts.put("seed", String.valueOf(seed));
        opts.put("explained", "logit of the predicted class");
        opts.put("curves follow", model.spi().softmaxOutput() ? "probability of the predicted class"
                : "logit of the predicted class");
        return new ScorecardResult(opts, table, meanCurves, sanity, exampleInput, exampleMaps, signed);
    }

    private static boolean higherIsBetter(String metric) {
        return metric.startsWith("insertion") && !metric.contains("random") || metric.contains("pointing")
                || metric.contains("rank-accuracy");
    }

    private static void add(Map<String, List<Double>> mv, String name, INDArray v) {
        List<Double> l = mv.computeIfAbsent(name, k -> new ArrayList<>());
        for (double d : v.toDoubleVector()) {
            l.add(d);
        }
    }

    private static void add(Map<String, List<Double>> mv, MetricResult r) {
        add(mv, r.metric(), r.values());
    }

    private Curves concat(String kind, String method, double[] fractions, List<double[][]> parts) {
        int cols = fractions.length;
        int rows = 0;
        for (double[][] p : parts) {
            rows += p[0].length / cols;
        }
        double[][] c = new double[rows][];
        double[][] r = new double[rows][];
        int k = 0;
        for (double[][] p : parts) {
            for (int i = 0; i < p[0].length / cols; i++, k++) {
                c[k] = java.util.Arrays.copyOfRange(p[0], i * cols, (i + 1) * cols);
                r[k] = java.util.Arrays.copyOfRange(p[1], i * cols, (i + 1) * cols);
            }
        }
        return new Curves(kind, method, "predicted class", Map.of("steps", String.valueOf(steps)), fractions,
                org.nd4j.linalg.factory.Nd4j.createFromArray(c), org.nd4j.linalg.factory.Nd4j.createFromArray(r));
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private final Map<String, Function<InterpretableModel, Attribution>> methods = new LinkedHashMap<>();
        private Set<Metric> metrics = EnumSet.of(Metric.DELETION, Metric.INSERTION, Metric.RANDOMIZATION);
        private int limit = DEFAULT_LIMIT;
        private int steps = DeletionInsertion.DEFAULT_STEPS;
        private int randomOrders = DeletionInsertion.DEFAULT_RANDOM_ORDERS;
        private long seed;
        private ProgressListener progress;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param name the method's name in the scorecard
         * @param factory makes the method for a model (applied again to randomized copies)
         * @return this
         */
        public Builder method(String name, Function<InterpretableModel, Attribution> factory) {
            if (name == null || name.isBlank() || factory == null) {
                throw new IllegalArgumentException("A method needs a name and a factory");
            }
            if (methods.containsKey(name)) {
                throw new IllegalArgumentException("Method '" + name + "' is already on the scorecard");
            }
            methods.put(name, factory);
            return this;
        }

        /**
         * @param m the metrics (default deletion, insertion, randomization)
         * @return this
         */
        public Builder metrics(Metric... m) {
            if (m == null || m.length == 0) {
                throw new IllegalArgumentException("Give at least one metric: " + java.util.Arrays.toString(
                        Metric.values()));
            }
            this.metrics = EnumSet.copyOf(java.util.Arrays.asList(m));
            return this;
        }

        /**
         * @param n most images scored (default {@value #DEFAULT_LIMIT})
         * @return this
         */
        public Builder limit(int n) {
            this.limit = n;
            return this;
        }

        /**
         * @param s deletion/insertion steps (default 16)
         * @return this
         */
        public Builder steps(int s) {
            this.steps = s;
            return this;
        }

        /**
         * @param r random orders per image (default 3)
         * @return this
         */
        public Builder randomOrders(int r) {
            this.randomOrders = r;
            return this;
        }

        /**
         * @param seed seed of every metric (default 0)
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param l told after each method and batch
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the scorecard runner */
        public MethodScorecard build() {
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("Add at least one method with method(name, factory)");
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be >= 1, got " + limit);
            }
            // the metrics' own checks, before any work
            DeletionInsertion.builder(model).steps(steps).randomOrders(randomOrders).build();
            return new MethodScorecard(this);
        }
    }
}
