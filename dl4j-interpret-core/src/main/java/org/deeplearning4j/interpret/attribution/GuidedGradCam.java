package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Guided Grad-CAM: guided backpropagation multiplied element-wise by the upsampled Grad-CAM map, giving
 * high-resolution, class-discriminative attributions.
 *
 * <p>Selvaraju et al., ICCV 2017, <a href="https://arxiv.org/abs/1610.02391">arXiv:1610.02391</a>.
 *
 * <pre>{@code
 * AttributionResult r = GuidedGradCam.of(model, GradCam.of(model)).attribute(images, Targets.predicted());
 * }</pre>
 */
public final class GuidedGradCam implements Attribution {
    private final InterpretableModel model;
    private final GradCam gradCam;
    private final ChannelReduction reduction;

    private GuidedGradCam(InterpretableModel model, GradCam gradCam, ChannelReduction reduction) {
        if (model == null || gradCam == null || reduction == null) {
            throw new IllegalArgumentException("model, gradCam and reduction must not be null");
        }
        this.model = model;
        this.gradCam = gradCam;
        this.reduction = reduction;
    }

    /**
     * @param model the model
     * @param gradCam the Grad-CAM to combine with
     * @return the method
     */
    public static GuidedGradCam of(InterpretableModel model, GradCam gradCam) {
        return new GuidedGradCam(model, gradCam, ChannelReduction.MAX_ABS);
    }

    @Override
    public String name() {
        return "GuidedGradCAM";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        Target fixed = PinnedTarget.of(model, x, target).target;
        AttributionResult cam = gradCam.attribute(x, fixed);
        AttributionResult guided = GuidedBackprop.of(model).attribute(x, fixed);
        INDArray attr = guided.attributions();
        INDArray map = cam.map();
        for (int c = 0; c < attr.size(1); c++) {
            attr.get(NDArrayIndex.all(), NDArrayIndex.point(c)).muli(map);
        }
        Map<String, String> opts = new LinkedHashMap<>(cam.options());
        opts.put("channelReduction", reduction.name());
        return new AttributionResult(name(), fixed.description(), opts, attr, reduction.reduce(attr),
                cam.targetValues(), reduction.isSigned());
    }
}
