package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.Seeds;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Feature permutation over segments: each segment of each image takes, in turn, the pixels of another image of the
 * batch (its partner under a random permutation of the batch), and the segment's score is how much the target drops,
 * {@code f(x) - f(x with that segment from the partner)}. Permutation importance measured per example: unlike feature
 * ablation it needs no baseline, the replacement values come from the data. The permutation is a seeded random cyclic
 * shift of the batch (no image is its own partner); the result depends on which images are in the batch by
 * definition. Needs a batch of at least 2 images of the same size.
 *
 * <p>Breiman, "Random Forests", Machine Learning 45, 2001, <a href="https://doi.org/10.1023/A:1010933404324">
 * doi:10.1023/A:1010933404324</a> (permutation importance); Fisher, Rudin &amp; Dominici, "All Models are Wrong, but
 * Many are Useful", JMLR 20, 2019, <a href="https://arxiv.org/abs/1801.01489">arXiv:1801.01489</a>; Captum's
 * FeaturePermutation over feature groups.
 *
 * <pre>{@code
 * AttributionResult r = FeaturePermutation.builder(model).segmenter(Segmenters.grid(8, 8)).build()
 *         .attribute(batch, Targets.predicted());
 * }</pre>
 */
public final class FeaturePermutation implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(FeaturePermutation.class);
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    private final SegmentSetup setup;
    private final long seed;

    private FeaturePermutation(Builder b) {
        this.setup = b.setup();
        this.seed = b.seed;
    }

    /**
     * @param model the model
     * @return feature permutation over 50 SLIC superpixels
     */
    public static FeaturePermutation of(InterpretableModel model) {
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
        return "FeaturePermutation";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = setup.model().spi().prepareInput(input);
        long n = x.size(0);
        if (n < 2) {
            throw new IllegalArgumentException("FeaturePermutation takes the replacement pixels from other images of "
                    + "the batch, so it needs at least 2 images; got 1 (use FeatureAblation with a baseline for one)");
        }
        long shift = 1 + new SplittableRandom(Seeds.mix(seed, n)).nextLong(n - 1);
        Baseline partners = new Baseline() {
            @Override
            public INDArray create(INDArray batch, InterpretableModel model) {
                long[] order = new long[(int) batch.size(0)];
                for (int i = 0; i < order.length; i++) {
                    order[i] = (i + shift) % order.length;
                }
                return batch.get(NDArrayIndex.indices(order)).dup();
            }

            @Override
            public String description() {
                return "the batch shifted by " + shift + " (each image's partner)";
            }
        };
        SegmentSetup withPartners = new SegmentSetup(setup.model(), setup.segmenter(), partners, setup.maxBatch(),
                setup.progress());
        return SegmentAttribution.run(name(), log, withPartners, x, target,
                Map.of("seed", String.valueOf(seed)), g -> g, false, FeatureAblation::ablate);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder extends SegmentOptions<Builder> {
        private long seed = DEFAULT_SEED;

        private Builder(InterpretableModel model) {
            super(model);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param s seed of the permutation (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @return the method */
        public FeaturePermutation build() {
            checkCommon();
            if (baselineGiven) {
                throw new IllegalArgumentException("FeaturePermutation takes the replacement pixels from another image "
                        + "of the batch and has no baseline; use FeatureAblation for a fixed baseline");
            }
            return new FeaturePermutation(this);
        }
    }
}
