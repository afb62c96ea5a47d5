package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.ObjectiveGradient;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Gradient x input: {@code x * d target / d x}, element-wise, summed over channels for the map (signed). For a
 * linear model {@code w.x + b} it equals each feature's contribution {@code w_i x_i}.
 *
 * <p>Shrikumar, Greenside, Shcherbina &amp; Kundaje, "Not Just a Black Box: Learning Important Features Through
 * Propagating Activation Differences", 2016, <a href="https://arxiv.org/abs/1605.01713">arXiv:1605.01713</a>.
 *
 * <pre>{@code
 * AttributionResult r = GradientXInput.of(model).attribute(images, Targets.logit(3));
 * }</pre>
 */
public final class GradientXInput implements Attribution {
    /** Default reduction: signed sum over channels. */
    public static final ChannelReduction DEFAULT_REDUCTION = ChannelReduction.SUM;

    private final InterpretableModel model;
    private final ChannelReduction reduction;

    private GradientXInput(InterpretableModel model, ChannelReduction reduction) {
        if (model == null || reduction == null) {
            throw new IllegalArgumentException("model and reduction must not be null");
        }
        this.model = model;
        this.reduction = reduction;
    }

    /**
     * @param model the model
     * @return the method with the default (signed sum) reduction
     */
    public static GradientXInput of(InterpretableModel model) {
        return new GradientXInput(model, DEFAULT_REDUCTION);
    }

    /**
     * @param model the model
     * @param reduction how channels are combined into the map
     * @return the method
     */
    public static GradientXInput of(InterpretableModel model, ChannelReduction reduction) {
        return new GradientXInput(model, reduction);
    }

    @Override
    public String name() {
        return "GradientXInput";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        ObjectiveGradient g = model.gradient(x, target);
        INDArray a = g.gradient().muli(x);
        return new AttributionResult(name(), target.description(), Map.of("channelReduction", reduction.name()), a,
                reduction.reduce(a), g.values(), reduction.isSigned());
    }
}
