package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.internal.HostArrays;
import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.internal.Seeds;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deletion and insertion curves: remove the pixels a map ranks most important first (deletion) or reveal them on an
 * empty canvas (insertion), step by step, and follow the target (by default the predicted class's probability). A
 * faithful map makes the deletion curve fall fast (low area) and the insertion curve rise fast (high area). Each
 * example is also scored in random pixel orders (several seeds), the baseline a map must beat.
 *
 * <p>With {@link Fill#noisyLinearImputation(double)} as the fill this is ROAD ("remove and debias"): removed pixels
 * are imputed from their neighbours, so the curve measures the information removed rather than the model's reaction
 * to unnatural constant patches; {@link #road(InterpretableModel)} is the preset, with most- and least-relevant-first
 * orders ({@link Order}).
 *
 * <p>Petsiuk, Das &amp; Saenko, "RISE: Randomized Input Sampling for Explanation of Black-box Models", BMVC 2018,
 * <a href="https://arxiv.org/abs/1806.07421">arXiv:1806.07421</a>; Rong, Leemann, Borisov, Kasneci &amp; Kasneci,
 * "A Consistent and Efficient Evaluation Strategy for Attribution Methods", ICML 2022,
 * <a href="https://arxiv.org/abs/2202.00449">arXiv:2202.00449</a>.
 *
 * <pre>{@code
 * AttributionResult r = IntegratedGradients.of(model).attribute(x, Targets.predicted());
 * DeletionInsertion.Result c = DeletionInsertion.of(model).evaluate(x, r, Targets.predictedProbability());
 * c.deletion().meanAuc();   // lower is better; compare with c.deletion().meanRandomAuc()
 * }</pre>
 *
 * <p>Ties in the map are broken by pixel index (row-major), so the order is deterministic. Perturbed images are
 * built and evaluated in chunks of at most {@code maxBatch}; the arrays held at once do not grow with the number of
 * steps or random orders. Random orders and imputation noise are seeded and do not depend on the batch an example
 * is in.
 */
public final class DeletionInsertion {
    private static final Logger log = LoggerFactory.getLogger(DeletionInsertion.class);

    /** Default number of steps from 0% to 100% of the pixels. */
    public static final int DEFAULT_STEPS = 16;
    /** Default number of random orders per example. */
    public static final int DEFAULT_RANDOM_ORDERS = 3;
    /** Default seed of the random orders and the imputation noise. */
    public static final long DEFAULT_SEED = 0;

    /** Which curves to compute. */
    public enum Kind { DELETION, INSERTION }

    /** Which pixels go first. */
    public enum Order {
        /** The map's highest values first (MoRF; the usual deletion/insertion game). */
        MOST_RELEVANT_FIRST,
        /** The map's lowest values first (LeRF: a faithful map keeps the score high for long). */
        LEAST_RELEVANT_FIRST
    }

    private final InterpretableModel model;
    private final int steps;
    private final Set<Kind> kinds;
    private final Fill deletionFill;
    private final Fill insertionCanvas;
    private final Order order;
    private final boolean absolute;
    private final int randomOrders;
    private final long seed;
    private final int maxBatch;
    private final ProgressListener progress;

    private DeletionInsertion(Builder b) {
        this.model = b.model;
        this.steps = b.steps;
        this.kinds = EnumSet.copyOf(b.kinds);
        this.deletionFill = b.deletionFill;
        this.insertionCanvas = b.insertionCanvas;
        this.order = b.order;
        this.absolute = b.absolute;
        this.randomOrders = b.randomOrders;
        this.seed = b.seed;
        this.maxBatch = b.maxBatch > 0 ? b.maxBatch : model.maxBatchSize();
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @return deletion and insertion with default options
     */
    public static DeletionInsertion of(InterpretableModel model) {
        return builder(model).build();
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    /**
     * @param model the model
     * @return a builder preset for ROAD: deletion only, removed pixels filled by noisy linear imputation
     */
    public static Builder road(InterpretableModel model) {
        return new Builder(model).kinds(Kind.DELETION)
                .deletionFill(Fill.noisyLinearImputation(Fill.DEFAULT_IMPUTATION_NOISE));
    }

    /**
     * @param input NCHW batch (not modified)
     * @param attribution maps for that batch
     * @param target what to follow; the predicted class is pinned on the unmodified input
     * @return the curves
     */
    public Result evaluate(INDArray input, AttributionResult attribution, Target target) {
        return evaluate(input, attribution.map(), attribution.method(), target);
    }

    /**
     * @param input NCHW batch (not modified)
     * @param maps per-pixel maps {@code [N, H, W]}
     * @param method the name of what made the maps (for reports)
     * @param target what to follow
     * @return the curves
     */
    public Result evaluate(INDArray input, INDArray maps, String method, Target target) {
        INDArray x = model.spi().prepareInput(input);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        Maps.check(maps, n, h, w);
        if (steps > h * w) {
            throw new IllegalArgumentException("steps (" + steps + ") exceeds the " + h * w + " pixels of a " + h
                    + "x" + w + " input; use at most " + h * w);
        }
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        List<Kind> kindList = new ArrayList<>(kinds);
        int orders = 1 + randomOrders;
        int[][] randomPerms = new int[randomOrders][];
        for (int r = 0; r < randomOrders; r++) {
            randomPerms[r] = Seeds.permutation(h * w, new SplittableRandom(seed * 1_000_003L + r));
        }
        double[] fractions = new double[steps + 1];
        int[] counts = new int[steps + 1];
        for (int k = 0; k <= steps; k++) {
            counts[k] = (int) Math.round(k * (double) h * w / steps);
            fractions[k] = counts[k] / (double) (h * w);
        }
        double[][][][] values = new double[kindList.size()][orders][n][steps + 1];
        int jobsPerExample = kindList.size() * orders * (steps + 1);
        ProgressTracker tracker = new ProgressTracker(log, "Deletion/insertion (" + method + ")",
                (long) n * jobsPerExample, progress);
        double[] flat = HostArrays.doubles(x);
        double[] mapFlat = HostArrays.doubles(maps);
        int size = c * h * w;
        for (int i = 0; i < n; i++) {
            double[] img = java.util.Arrays.copyOfRange(flat, i * size, (i + 1) * size);
            int[] ranked = Maps.rank(java.util.Arrays.copyOfRange(mapFlat, i * h * w, (i + 1) * h * w), absolute,
                    order == Order.LEAST_RELEVANT_FIRST);
            double[][] canvases = new double[kindList.size()][];
            for (int kd = 0; kd < kindList.size(); kd++) {
                Fill f = fill(kindList.get(kd));
                canvases[kd] = f.dependsOnMask() ? null : f.canvas(img, c, h, w, model.inputSpec());
            }
            Target ti = pinned.target.slice(i, i + 1);
            for (int start = 0; start < jobsPerExample; start += maxBatch) {
                int end = Math.min(jobsPerExample, start + maxBatch);
                double[] batch = new double[(end - start) * size];
                for (int job = start; job < end; job++) {
                    int step = job % (steps + 1);
                    int o = job / (steps + 1) % orders;
                    int kd = job / ((steps + 1) * orders);
                    int[] perm = o == 0 ? ranked : randomPerms[o - 1];
                    double[] out = perturbed(img, perm, counts[step], kindList.get(kd), canvases[kd], c, h, w,
                            new SplittableRandom(Seeds.mix(seed, kd, o, step)));
                    System.arraycopy(out, 0, batch, (job - start) * size, size);
                }
                INDArray vals = model.values(Nd4j.create(batch, new long[] {end - start, c, h, w}, DataType.DOUBLE)
                        .castTo(x.dataType()), ti);
                for (int job = start; job < end; job++) {
                    values[job / ((steps + 1) * orders)][job / (steps + 1) % orders][i][job % (steps + 1)] = vals
                            .getDouble(job - start);
                }
                tracker.advance(end - start);
            }
        }
        Curves deletion = null;
        Curves insertion = null;
        for (int kd = 0; kd < kindList.size(); kd++) {
            Curves cv = curves(kindList.get(kd), method, pinned.target.description(), fractions, values[kd], n);
            if (kindList.get(kd) == Kind.DELETION) {
                deletion = cv;
            } else {
                insertion = cv;
            }
        }
        return new Result(deletion, insertion);
    }

    private Fill fill(Kind kind) {
        return kind == Kind.DELETION ? deletionFill : insertionCanvas;
    }

    /** The image with the first {@code count} pixels of {@code perm} removed (deletion) or revealed (insertion). */
    private double[] perturbed(double[] img, int[] perm, int count, Kind kind, double[] canvas, int c, int h, int w,
            SplittableRandom rng) {
        int hw = h * w;
        boolean[] removed = new boolean[hw];
        if (kind == Kind.DELETION) {
            for (int k = 0; k < count; k++) {
                removed[perm[k]] = true;
            }
        } else {
            java.util.Arrays.fill(removed, true);
            for (int k = 0; k < count; k++) {
                removed[perm[k]] = false;
            }
        }
        Fill f = fill(kind);
        if (f.dependsOnMask()) {
            return f.impute(img, removed, c, h, w, model.inputSpec(), rng);
        }
        double[] out = img.clone();
        for (int p = 0; p < hw; p++) {
            if (removed[p]) {
                for (int ch = 0; ch < c; ch++) {
                    out[ch * hw + p] = canvas[ch * hw + p];
                }
            }
        }
        return out;
    }

    private Curves curves(Kind kind, String method, String target, double[] fractions, double[][][] v, int n) {
        INDArray curve = Nd4j.createFromArray(v[0]);
        INDArray random = Nd4j.zeros(DataType.DOUBLE, n, fractions.length);
        for (int o = 1; o < v.length; o++) {
            random.addi(Nd4j.createFromArray(v[o]));
        }
        random.divi(Math.max(1, v.length - 1));
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("steps", String.valueOf(steps));
        opts.put("fill", fill(kind).description());
        opts.put("order", order.name());
        opts.put("absolute", String.valueOf(absolute));
        opts.put("randomOrders", String.valueOf(randomOrders));
        opts.put("seed", String.valueOf(seed));
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (fill(kind).dependsOnMask()) {
            name = "ROAD " + name;
        }
        if (order == Order.LEAST_RELEVANT_FIRST) {
            name += " (least relevant first)";
        }
        return new Curves(name, method, target, opts, fractions, curve, random);
    }

    /** The curves of one evaluation: deletion and/or insertion, as configured. */
    public static final class Result {
        private final Curves deletion;
        private final Curves insertion;

        Result(Curves deletion, Curves insertion) {
            this.deletion = deletion;
            this.insertion = insertion;
        }

        /**
         * @return the deletion curves
         * @throws IllegalStateException if they were not computed
         */
        public Curves deletion() {
            if (deletion == null) {
                throw new IllegalStateException("Deletion was not computed; add Kind.DELETION to kinds(...)");
            }
            return deletion;
        }

        /**
         * @return the insertion curves
         * @throws IllegalStateException if they were not computed
         */
        public Curves insertion() {
            if (insertion == null) {
                throw new IllegalStateException("Insertion was not computed; add Kind.INSERTION to kinds(...)");
            }
            return insertion;
        }

        /** @return true if deletion curves were computed */
        public boolean hasDeletion() {
            return deletion != null;
        }

        /** @return true if insertion curves were computed */
        public boolean hasInsertion() {
            return insertion != null;
        }

        @Override
        public String toString() {
            return (deletion == null ? "" : deletion.toString()) + (deletion != null && insertion != null ? "; " : "")
                    + (insertion == null ? "" : insertion.toString());
        }
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private int steps = DEFAULT_STEPS;
        private Set<Kind> kinds = EnumSet.allOf(Kind.class);
        private Fill deletionFill = Fill.neutral();
        private Fill insertionCanvas = Fill.blur(Fill.DEFAULT_BLUR_SIGMA);
        private Order order = Order.MOST_RELEVANT_FIRST;
        private boolean absolute;
        private int randomOrders = DEFAULT_RANDOM_ORDERS;
        private long seed = DEFAULT_SEED;
        private int maxBatch;
        private ProgressListener progress;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param steps steps from 0% to 100% of the pixels (default {@value #DEFAULT_STEPS})
         * @return this
         */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * @param kinds which curves (default both)
         * @return this
         */
        public Builder kinds(Kind... kinds) {
            if (kinds == null || kinds.length == 0) {
                throw new IllegalArgumentException("Give at least one of DELETION, INSERTION");
            }
            this.kinds = EnumSet.copyOf(java.util.Arrays.asList(kinds));
            return this;
        }

        /**
         * @param f what replaces deleted pixels (default {@link Fill#neutral()})
         * @return this
         */
        public Builder deletionFill(Fill f) {
            this.deletionFill = f;
            return this;
        }

        /**
         * @param f the canvas pixels are revealed on (default {@link Fill#blur(double)}, sigma 5)
         * @return this
         */
        public Builder insertionCanvas(Fill f) {
            this.insertionCanvas = f;
            return this;
        }

        /**
         * @param o which pixels go first (default most relevant first)
         * @return this
         */
        public Builder order(Order o) {
            this.order = o;
            return this;
        }

        /**
         * @param abs rank by |map| instead of the signed map (default false)
         * @return this
         */
        public Builder absolute(boolean abs) {
            this.absolute = abs;
            return this;
        }

        /**
         * @param r random orders per example (default {@value #DEFAULT_RANDOM_ORDERS}, &gt;= 1)
         * @return this
         */
        public Builder randomOrders(int r) {
            this.randomOrders = r;
            return this;
        }

        /**
         * @param seed seed of the random orders and noise (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param n images per model call (default: the model's chunk size)
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.maxBatch = n;
            return this;
        }

        /**
         * @param l told after each chunk (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the metric */
        public DeletionInsertion build() {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (randomOrders < 1) {
                throw new IllegalArgumentException("randomOrders must be >= 1 (the baseline a map must beat), got "
                        + randomOrders);
            }
            if (deletionFill == null || insertionCanvas == null || order == null) {
                throw new IllegalArgumentException("fill, canvas and order must not be null");
            }
            if (maxBatch < 0) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1 (or 0 for the model's), got " + maxBatch);
            }
            return new DeletionInsertion(this);
        }
    }
}
