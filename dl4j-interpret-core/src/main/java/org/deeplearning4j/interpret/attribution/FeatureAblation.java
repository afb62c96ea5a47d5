package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Feature ablation over segments: each segment's score is how much the target drops when that segment alone is
 * replaced by the baseline, {@code f(x) - f(x without segment)}. One forward pass per segment; positive means
 * "removing this region lowers the score". Unlike occlusion's sliding square, the regions follow the image (SLIC
 * superpixels by default) or a user's mask.
 *
 * <p>Zeiler &amp; Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014,
 * <a href="https://arxiv.org/abs/1311.2901">arXiv:1311.2901</a> (occlusion); Captum's FeatureAblation over feature
 * groups (Kokhlikyan et al., "Captum: A unified and generic model interpretability library for PyTorch", 2020,
 * <a href="https://arxiv.org/abs/2009.07896">arXiv:2009.07896</a>).
 *
 * <pre>{@code
 * AttributionResult r = FeatureAblation.builder(model).segmenter(Segmenters.slic(50, 200)).build()
 *         .attribute(images, Targets.predicted());
 * double[] perSegment = r.segments().get().scores(0);
 * }</pre>
 */
public final class FeatureAblation implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(FeatureAblation.class);

    private final SegmentSetup setup;

    private FeatureAblation(Builder b) {
        this.setup = b.setup();
    }

    /**
     * @param model the model
     * @return feature ablation over 50 SLIC superpixels with a neutral baseline
     */
    public static FeatureAblation of(InterpretableModel model) {
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
        return "FeatureAblation";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        return SegmentAttribution.run(name(), log, setup, input, target, Map.of(), g -> g, false,
                FeatureAblation::ablate);
    }

    /** Each segment's score: the drop of the target when that segment alone takes the baseline's pixels. */
    static double[] ablate(Coalitions c, double fx) {
        int g = c.segments();
        double[] v = c.values(g, (s, row) -> {
            java.util.Arrays.fill(row, 1);
            row[s] = 0;
        });
        for (int s = 0; s < g; s++) {
            v[s] = fx - v[s];
        }
        return v;
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder extends SegmentOptions<Builder> {
        private Builder(InterpretableModel model) {
            super(model);
        }

        @Override
        Builder self() {
            return this;
        }

        /** @return the method */
        public FeatureAblation build() {
            checkCommon();
            return new FeatureAblation(this);
        }
    }
}
