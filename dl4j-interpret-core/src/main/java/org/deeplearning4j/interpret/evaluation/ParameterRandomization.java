package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Model-parameter randomization, the first sanity check: re-draw the network's parameters (on private copies; the
 * user's model is untouched) and see whether the method's maps change. A method whose maps barely change when the
 * weights it should explain are random is not explaining the model (guided backprop is the classic failure: it keeps
 * reconstructing the image). Cascading mode randomizes from the output layer down, one more layer per stage;
 * independent mode randomizes one layer at a time. Each stage reports, averaged over the batch, the Spearman rank
 * correlation of the signed and of the absolute maps, SSIM and HOG similarity of the normalised absolute maps
 * ({@link Similarity}).
 *
 * <p>Pass/fail: cascading passes when the absolute maps' rank correlation at the last stage (all layers random) is
 * below {@code passThreshold}; independent passes when it is below the threshold for at least half of the layers.
 * The explained unit is pinned on the original model (e.g. the class it predicts) and explained on every copy.
 *
 * <p>Adebayo, Gilmer, Muelly, Goodfellow, Hardt &amp; Kim, "Sanity Checks for Saliency Maps", NeurIPS 2018,
 * <a href="https://arxiv.org/abs/1810.03292">arXiv:1810.03292</a>.
 *
 * <pre>{@code
 * RandomizationResult r = ParameterRandomization.builder(model, GuidedBackprop::of).build()
 *         .evaluate(x, Targets.predicted());
 * r.passed();   // false: guided backprop's maps survive random weights
 * }</pre>
 */
public final class ParameterRandomization {
    private static final Logger log = LoggerFactory.getLogger(ParameterRandomization.class);

    /** Default: below this rank correlation of absolute maps, the maps count as changed. */
    public static final double DEFAULT_PASS_THRESHOLD = 0.5;
    /** Default seed of the re-drawn parameters. */
    public static final long DEFAULT_SEED = 0;

    /** How layers are randomized. */
    public enum Mode {
        /** From the output down, accumulating: stage k has the top k layers random. */
        CASCADING,
        /** One layer at a time, the others trained. */
        INDEPENDENT
    }

    private final InterpretableModel model;
    private final Function<InterpretableModel, Attribution> method;
    private final Mode mode;
    private final long seed;
    private final double passThreshold;
    private final List<String> layers;
    private final ProgressListener progress;

    private ParameterRandomization(Builder b) {
        this.model = b.model;
        this.method = b.method;
        this.mode = b.mode;
        this.seed = b.seed;
        this.passThreshold = b.passThreshold;
        this.layers = b.layers;
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @param method makes the method for a model, e.g. {@code Saliency::of} (called once per stage)
     * @return a builder
     */
    public static Builder builder(InterpretableModel model, Function<InterpretableModel, Attribution> method) {
        return new Builder(model, method);
    }

    /**
     * @param input NCHW batch (not modified)
     * @param target what to explain; pinned on the original model
     * @return per stage, how similar the maps stay
     */
    public RandomizationResult evaluate(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        List<String> all = model.spi().parameterLayers();
        List<String> chosen = layers != null ? layers : all;
        for (String l : chosen) {
            if (!all.contains(l)) {
                throw new IllegalArgumentException("Layer '" + l + "' has no parameters; layers with parameters: "
                        + all);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("The model has no layers with parameters to randomize");
        }
        List<String> topDown = new ArrayList<>();
        for (String l : all) {
            if (chosen.contains(l)) {
                topDown.add(0, l);
            }
        }
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        Attribution original = method.apply(model);
        INDArray reference = original.attribute(x, pinned.target).map();
        ProgressTracker tracker = new ProgressTracker(log, "Parameter randomization (" + original.name() + ")",
                topDown.size(), progress);
        List<String> stages = new ArrayList<>();
        List<INDArray> stageMaps = new ArrayList<>();
        stageMaps.add(reference.slice(0).dup());
        double[][][] sims = new double[RandomizationResult.MEASURES.size()][topDown.size()][];
        for (int k = 0; k < topDown.size(); k++) {
            List<String> random = mode == Mode.CASCADING ? topDown.subList(0, k + 1)
                    : Collections.singletonList(topDown.get(k));
            InterpretableModel copy = model.spi().randomizedCopy(random, seed);
            INDArray maps = method.apply(copy).attribute(x, pinned.target).map();
            stages.add(mode == Mode.CASCADING ? "up to " + topDown.get(k) : topDown.get(k));
            stageMaps.add(maps.slice(0).dup());
            double[][] s = RandomizationResult.compare(reference, maps);
            for (int m = 0; m < s.length; m++) {
                sims[m][k] = s[m];
            }
            tracker.advance(1);
        }
        return new RandomizationResult(original.name(), mode.name().toLowerCase(java.util.Locale.ROOT)
                + " model-parameter randomization", pinned.target.description(), stages, sims, stageMaps,
                passThreshold, mode == Mode.CASCADING ? RandomizationResult.Verdict.LAST_STAGE
                : RandomizationResult.Verdict.HALF_OF_STAGES);
    }

    /**
     * The data-randomization check: the same method on the model and on the same architecture trained on shuffled
     * labels. Maps that stay alike do not depend on what the model learned from the labels.
     *
     * @param model the model trained on true labels
     * @param shuffled the same architecture trained on randomly permuted labels
     * @param method makes the method for a model
     * @param input NCHW batch
     * @param target what to explain; pinned on {@code model}
     * @param passThreshold maps count as changed below this rank correlation of absolute maps
     * @return one stage, "trained on shuffled labels"
     */
    public static RandomizationResult dataRandomization(InterpretableModel model, InterpretableModel shuffled,
            Function<InterpretableModel, Attribution> method, INDArray input, Target target, double passThreshold) {
        if (model == null || shuffled == null || method == null) {
            throw new IllegalArgumentException("model, shuffled model and method must not be null");
        }
        INDArray x = model.spi().prepareInput(input);
        shuffled.spi().prepareInput(input);
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        Attribution a = method.apply(model);
        INDArray reference = a.attribute(x, pinned.target).map();
        INDArray maps = method.apply(shuffled).attribute(x, pinned.target).map();
        double[][] s = RandomizationResult.compare(reference, maps);
        double[][][] sims = new double[s.length][1][];
        for (int m = 0; m < s.length; m++) {
            sims[m][0] = s[m];
        }
        return new RandomizationResult(a.name(), "data randomization", pinned.target.description(),
                List.of("trained on shuffled labels"), sims, List.of(reference.slice(0).dup(), maps.slice(0).dup()),
                passThreshold, RandomizationResult.Verdict.LAST_STAGE);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private final Function<InterpretableModel, Attribution> method;
        private Mode mode = Mode.CASCADING;
        private long seed = DEFAULT_SEED;
        private double passThreshold = DEFAULT_PASS_THRESHOLD;
        private List<String> layers;
        private ProgressListener progress;

        private Builder(InterpretableModel model, Function<InterpretableModel, Attribution> method) {
            if (model == null || method == null) {
                throw new IllegalArgumentException("model and method must not be null");
            }
            this.model = model;
            this.method = method;
        }

        /**
         * @param m cascading (default) or independent
         * @return this
         */
        public Builder mode(Mode m) {
            this.mode = m;
            return this;
        }

        /**
         * @param seed seed of the re-drawn parameters (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param t threshold on the absolute maps' rank correlation (default 0.5), in (-1, 1]
         * @return this
         */
        public Builder passThreshold(double t) {
            this.passThreshold = t;
            return this;
        }

        /**
         * @param names the layers to randomize (default: every layer with parameters), from
         *              {@link org.deeplearning4j.interpret.model.ModelSpi#parameterLayers()}
         * @return this
         */
        public Builder layers(String... names) {
            this.layers = List.of(names);
            return this;
        }

        /**
         * @param l told after each stage
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the check */
        public ParameterRandomization build() {
            if (mode == null) {
                throw new IllegalArgumentException("mode must not be null");
            }
            if (!(passThreshold > -1 && passThreshold <= 1)) {
                throw new IllegalArgumentException("passThreshold must be in (-1, 1], got " + passThreshold);
            }
            if (layers != null && layers.isEmpty()) {
                throw new IllegalArgumentException("Give at least one layer, or none for all");
            }
            return new ParameterRandomization(this);
        }
    }
}
