package org.deeplearning4j.interpret.blocks;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.LayerAttribution;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerInfo;
import org.deeplearning4j.interpret.model.ReceptiveField;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The meaning of hidden locations, from Olah et al., "The Building Blocks of Interpretability", Distill 2018
 * (<a href="https://distill.pub/2018/building-blocks/">distill.pub/2018/building-blocks</a>): for one image and one
 * spatial layer, the activation vector at every position; its <b>semantic dictionary</b> (top channels, each shown by
 * its feature visualization, rendered once per channel and cached); the <b>activation grid</b> (for every position an
 * image optimised for {@code v(X)[y, x] . v0}, weighted by cosine similarity as Lucid, cropped to the position's
 * receptive field) and the whole-layer version; <b>spatial and channel attribution</b> of a target (a class logit,
 * or a unit of a later layer) to the layer; and <b>neuron groups</b> (NMF of the activations into k groups, each
 * visualised and attributed). Render with {@code render.BuildingBlocksPage}.
 *
 * <pre>{@code
 * BuildingBlocksResult r = BuildingBlocks.builder(model, "relu3").groups(4).build().explain(image);
 * BuildingBlocksPage.write(r, new File("blocks.html"));
 * }</pre>
 */
public final class BuildingBlocks {
    private static final Logger log = LoggerFactory.getLogger(BuildingBlocks.class);
    /** Channels shown per position. */
    public static final int DEFAULT_DICTIONARY_SIZE = 4;
    /** Lucid's cosine power for activation grids. */
    public static final double DEFAULT_COSINE_POWER = 1.0;
    /** Neuron groups (0: none). */
    public static final int DEFAULT_GROUPS = 3;
    /** Optimisation steps of the grid, icons and groups. */
    public static final int DEFAULT_STEPS = 256;
    /** Images optimised together. */
    public static final int DEFAULT_BATCH = 16;

    private final InterpretableModel model;
    private final String layer;
    private final Target target;
    private final int dictionarySize;
    private final int groups;
    private final double cosinePower;
    private final FeatureVisualization fv;
    private final int batch;
    private final int steps;
    private final long seed;
    private final LayerAttribution.Method attributionMethod;
    private final Map<Integer, INDArray> iconCache = new HashMap<>();
    private final org.deeplearning4j.interpret.progress.ProgressListener progress;

    private BuildingBlocks(Builder b) {
        this.model = b.model;
        this.layer = b.layer;
        this.target = b.target;
        this.dictionarySize = b.dictionarySize;
        this.groups = b.groups;
        this.cosinePower = b.cosinePower;
        this.batch = b.batch;
        this.steps = b.steps;
        this.seed = b.seed;
        this.attributionMethod = b.attributionMethod;
        this.progress = b.progress;
        this.fv = FeatureVisualization.builder().steps(b.steps).seed(b.seed).images(b.batch).logProgress(false).build();
    }

    /**
     * @param model the model
     * @param layer a spatial (convolutional) layer
     * @return a builder
     */
    public static Builder builder(InterpretableModel model, String layer) {
        return new Builder(model, layer);
    }

    /** @return the layer's channel count */
    private long channels() {
        return model.layer(layer).outputShape()[0];
    }

    /**
     * @param input one image {@code [1, C, H, W]} in the model's input space
     * @return the layer's activation vectors {@code [C, h, w]}
     */
    public INDArray activationVectors(INDArray input) {
        checkSingle(input);
        return model.activations(input, layer).get(layer).slice(0);
    }

    private static void checkSingle(INDArray input) {
        if (input == null || input.rank() != 4 || input.size(0) != 1) {
            throw new IllegalArgumentException("Building blocks explain one image at a time: expected [1, C, H, W], "
                    + "got " + (input == null ? "null" : Arrays.toString(input.shape())));
        }
    }

    /**
     * One optimised image per position: {@code argmax_X v(X)[y, x] . v0} with {@code v0} the input's activation
     * vector there, weighted by cosine similarity, in row-major position order; batched.
     *
     * @param activation the input's activation {@code [C, h, w]}
     * @return display images {@code [h * w, C, H, W]}
     */
    public FeatureVisResult activationGrid(INDArray activation) {
        return activationGrid(activation, new org.deeplearning4j.interpret.progress.ProgressTracker(log,
                "Activation grid of " + layer + " (positions)", activation.size(1) * activation.size(2), progress));
    }

    private FeatureVisResult activationGrid(INDArray activation,
            org.deeplearning4j.interpret.progress.ProgressTracker tracker) {
        int h = (int) activation.size(1);
        int w = (int) activation.size(2);
        List<FeatureVisResult> parts = new ArrayList<>();
        List<Objective> all = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] v0 = activation.get(NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x))
                        .dup().toDoubleVector();
                all.add(Objectives.directionAt(layer, v0, y, x, cosinePower));
            }
        }
        for (int from = 0; from < all.size(); from += batch) {
            List<Objective> part = all.subList(from, Math.min(all.size(), from + batch));
            FeatureVisResult r = FeatureVisualization.builder().steps(steps).seed(seed + from).images(part.size())
                    .logProgress(false).build().run(model, Objectives.perImage(part));
            parts.add(r);
            tracker.advance(part.size());
        }
        return FeatureVisResult.join("activation grid of " + layer, parts);
    }

    /**
     * @param activation the input's activation {@code [C, h, w]}
     * @return one image the whole layer sees like the input (every position matched at once)
     */
    public FeatureVisResult wholeLayer(INDArray activation) {
        return FeatureVisualization.builder().steps(steps).seed(seed).logProgress(false).build()
                .run(model, Objectives.activationMatch(layer, activation, cosinePower));
    }

    /**
     * Feature visualizations of channels, each rendered once per instance and cached.
     *
     * @param channels channel indices
     * @return display images {@code [C, H, W]} by channel
     */
    public synchronized Map<Integer, INDArray> channelIcons(int... channels) {
        int[] missing = Arrays.stream(channels).distinct().filter(c -> !iconCache.containsKey(c)).toArray();
        if (missing.length > 0) {
            FeatureVisResult r = fv.channels(model, layer, missing);
            for (int i = 0; i < missing.length; i++) {
                iconCache.put(missing[i], r.image(i));
            }
        }
        Map<Integer, INDArray> out = new java.util.LinkedHashMap<>();
        for (int c : channels) {
            out.put(c, iconCache.get(c).dup());
        }
        return out;
    }

    /**
     * Everything for one image.
     *
     * @param input one image {@code [1, C, H, W]} in the model's input space
     * @return the result
     */
    public BuildingBlocksResult explain(INDArray input) {
        checkSingle(input);
        INDArray x = model.spi().prepareInput(input);
        INDArray act = activationVectors(x);
        int c = (int) act.size(0);
        int h = (int) act.size(1);
        int w = (int) act.size(2);
        if (groups > 0 && act.minNumber().doubleValue() < 0) {
            // checked before the (minutes of) optimisation, not after
            throw new IllegalArgumentException("Neuron groups factorise the activations of '" + layer + "' by NMF, "
                    + "which needs non-negative activations, but this image gives values down to "
                    + act.minNumber().doubleValue() + ". Use a layer after a ReLU, or groups(0)");
        }
        org.deeplearning4j.interpret.progress.ProgressTracker tracker = new org.deeplearning4j.interpret.progress
                .ProgressTracker(log, "Building blocks of " + layer + " (grid positions and stages)",
                (long) h * w + 3, progress);
        // semantic dictionaries
        int k = Math.min(dictionarySize, c);
        int[][] top = new int[h * w][k];
        double[][] topValues = new double[h * w][k];
        java.util.Set<Integer> used = new java.util.TreeSet<>();
        for (int p = 0; p < h * w; p++) {
            double[] v = act.get(NDArrayIndex.all(), NDArrayIndex.point(p / w), NDArrayIndex.point(p % w)).dup()
                    .toDoubleVector();
            Integer[] order = new Integer[c];
            for (int i = 0; i < c; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(v[b], v[a]));
            for (int j = 0; j < k; j++) {
                top[p][j] = order[j];
                topValues[p][j] = v[order[j]];
                used.add(order[j]);
            }
        }
        // attribution to positions and channels
        AttributionResult attr = LayerAttribution.builder(model, layer).method(attributionMethod).build()
                .attribute(x, target);
        INDArray perUnit = attr.attributions().slice(0); // [C, h, w]
        // activation grid, whole layer, channel icons
        FeatureVisResult grid = activationGrid(act, tracker);
        FeatureVisResult whole = wholeLayer(act);
        tracker.advance(1);
        Map<Integer, INDArray> icons = channelIcons(used.stream().mapToInt(Integer::intValue).toArray());
        tracker.advance(1);
        long[][] fields = new long[h * w][];
        for (int p = 0; p < h * w; p++) {
            ReceptiveField f = model.receptiveField(layer, p / w, p % w).clip(model.inputSpec().height(),
                    model.inputSpec().width());
            fields[p] = new long[] {f.top(), f.left(), f.height(), f.width()};
        }
        NeuronGroupsResult ng = groups > 0 ? NeuronGroups.of(model, layer, groups, seed, cosinePower, steps)
                .factorize(act, perUnit) : null;
        tracker.advance(1);
        return new BuildingBlocksResult(layer, attr.target(), attr.targetValues().getDouble(0), x,
                model.inputSpec().toDisplay(x).slice(0), act, top, topValues, icons, grid.images(), fields,
                whole.image(0), perUnit, ng);
    }

    /** Options; {@link #build()} validates against the model. */
    public static final class Builder {
        private final InterpretableModel model;
        private final String layer;
        private Target target = Targets.predicted();
        private int dictionarySize = DEFAULT_DICTIONARY_SIZE;
        private int groups = DEFAULT_GROUPS;
        private double cosinePower = DEFAULT_COSINE_POWER;
        private int steps = DEFAULT_STEPS;
        private int batch = DEFAULT_BATCH;
        private org.deeplearning4j.interpret.progress.ProgressListener progress;
        private long seed;
        private LayerAttribution.Method attributionMethod = LayerAttribution.Method.GRADIENT_X_ACTIVATION;

        private Builder(InterpretableModel model, String layer) {
            if (model == null || layer == null) {
                throw new IllegalArgumentException("model and layer must not be null");
            }
            this.model = model;
            this.layer = layer;
        }

        /**
         * @param t what to attribute (default: the predicted class's logit; a later layer's unit works)
         * @return this
         */
        public Builder target(Target t) {
            this.target = t;
            return this;
        }

        /**
         * @param k channels per position (default 4)
         * @return this
         */
        public Builder dictionarySize(int k) {
            this.dictionarySize = k;
            return this;
        }

        /**
         * @param k neuron groups (0 for none; default 3)
         * @return this
         */
        public Builder groups(int k) {
            this.groups = k;
            return this;
        }

        /**
         * @param p cosine power of the grid objectives (default 1, Lucid's)
         * @return this
         */
        public Builder cosinePower(double p) {
            this.cosinePower = p;
            return this;
        }

        /**
         * @param s optimisation steps for grid, icons and groups (default 256)
         * @return this
         */
        public Builder steps(int s) {
            this.steps = s;
            return this;
        }

        /**
         * @param n most images optimised together, the chunk size of the grid's positions (default 16)
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.batch = n;
            return this;
        }

        /**
         * @param s seed
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param m layer attribution method (default gradient x activation)
         * @return this
         */
        public Builder attribution(LayerAttribution.Method m) {
            this.attributionMethod = m;
            return this;
        }

        /**
         * @param l told as grid positions and stages finish (default: progress is only logged)
         * @return this
         */
        public Builder progress(org.deeplearning4j.interpret.progress.ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the configured explainer */
        public BuildingBlocks build() {
            LayerInfo info = model.layer(layer); // unknown names fail here, listing the valid ones
            long[] shape = info.outputShape();
            if (shape == null || shape.length != 3) {
                throw new IllegalArgumentException("Layer '" + layer + "' gives " + (shape == null ? "no known shape"
                        : Arrays.toString(shape)) + ": building blocks need a spatial layer [C, h, w] (a convolution, "
                        + "pooling or activation layer), not a dense one");
            }
            if (groups < 0 || groups > shape[0]) {
                throw new IllegalArgumentException("groups must be 0.." + shape[0] + " (the channels of '" + layer
                        + "'), got " + groups);
            }
            if (dictionarySize < 1 || steps < 1 || batch < 1 || target == null) {
                throw new IllegalArgumentException("dictionarySize, steps and maxBatchSize must be >= 1 and target set");
            }
            return new BuildingBlocks(this);
        }
    }
}
