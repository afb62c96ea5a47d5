package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * DeepLIFT-SHAP: DeepLIFT (Rescale) against every image of a baseline distribution, averaged. It approximates SHAP
 * values with the baselines as the background distribution; the contributions sum to {@code f(x)} minus the mean
 * of {@code f} over the baselines (the convergence delta reports the remainder).
 *
 * <p>Lundberg &amp; Lee, "A Unified Approach to Interpreting Model Predictions", NeurIPS 2017 (Deep SHAP),
 * <a href="https://arxiv.org/abs/1705.07874">arXiv:1705.07874</a>; Shrikumar, Greenside &amp; Kundaje, ICML 2017
 * (DeepLIFT).
 *
 * <pre>{@code
 * AttributionResult r = DeepLiftShap.of(model, backgroundImages).attribute(images, Targets.predicted());
 * }</pre>
 */
public final class DeepLiftShap implements Attribution {
    private final DeepLift inner;

    private DeepLiftShap(DeepLift inner) {
        this.inner = inner;
    }

    /**
     * @param model the model
     * @param background the baseline distribution, NCHW (each image is one baseline; e.g. 10-50 training images)
     * @return the method
     */
    public static DeepLiftShap of(InterpretableModel model, INDArray background) {
        if (background == null || background.rank() != 4 || background.size(0) < 1) {
            throw new IllegalArgumentException("The background must be an NCHW batch of at least one image, got "
                    + (background == null ? "null" : java.util.Arrays.toString(background.shape())));
        }
        List<Baseline> bs = new ArrayList<>();
        for (int i = 0; i < background.size(0); i++) {
            bs.add(Baselines.image(background.get(NDArrayIndex.interval(i, i + 1)).dup()));
        }
        return new DeepLiftShap(new DeepLift(model, bs, ChannelReduction.SUM, "DeepLiftShap", DeepLift.Rule.RESCALE));
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        return inner.attribute(input, target);
    }
}
