package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.ObjectiveGradient;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gradient saliency: the gradient of the target with respect to the input pixels. By default the map is
 * {@code max_c |d target / d x_c|} as in the paper; {@code signed(true)} keeps the raw gradient and sums over
 * channels.
 *
 * <p>Simonyan, Vedaldi &amp; Zisserman, "Deep Inside Convolutional Networks: Visualising Image Classification Models
 * and Saliency Maps", 2013, <a href="https://arxiv.org/abs/1312.6034">arXiv:1312.6034</a>.
 *
 * <pre>{@code
 * AttributionResult r = Saliency.of(model).attribute(images, Targets.predicted());
 * }</pre>
 */
public final class Saliency implements Attribution {
    /** Default: absolute gradient (the paper's saliency). */
    public static final boolean DEFAULT_SIGNED = false;

    private final InterpretableModel model;
    private final boolean signed;
    private final ChannelReduction reduction;

    private Saliency(Builder b) {
        this.model = b.model;
        this.signed = b.signed;
        this.reduction = b.reduction != null ? b.reduction : signed ? ChannelReduction.SUM : ChannelReduction.MAX_ABS;
    }

    /**
     * @param model the model
     * @return saliency with default options
     */
    public static Saliency of(InterpretableModel model) {
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
        return "Saliency";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        ObjectiveGradient g = model.gradient(input, target);
        INDArray a = signed ? g.gradient() : Transforms.abs(g.gradient(), true);
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("signed", String.valueOf(signed));
        opts.put("channelReduction", reduction.name());
        return new AttributionResult(name(), target.description(), opts, a, reduction.reduce(a), g.values(),
                reduction.isSigned());
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private boolean signed = DEFAULT_SIGNED;
        private ChannelReduction reduction;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param signed keep the gradient's sign (default {@value #DEFAULT_SIGNED})
         * @return this
         */
        public Builder signed(boolean signed) {
            this.signed = signed;
            return this;
        }

        /**
         * @param r channel reduction (default MAX_ABS, or SUM when signed)
         * @return this
         */
        public Builder channelReduction(ChannelReduction r) {
            this.reduction = r;
            return this;
        }

        /** @return the method */
        public Saliency build() {
            return new Saliency(this);
        }
    }
}
