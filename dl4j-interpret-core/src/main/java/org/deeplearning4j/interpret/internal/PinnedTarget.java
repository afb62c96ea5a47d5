package org.deeplearning4j.interpret.internal;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A target validated against a batch and pinned on the unmodified input (e.g. the predicted class fixed before the
 * input is perturbed, scaled or noised), with its values there. Internal: not API.
 */
public final class PinnedTarget {
    /** The target with nothing left to resolve. */
    public final Target target;
    /** Its value per example on the unmodified input, {@code [N]}. */
    public final INDArray values;

    private PinnedTarget(Target target, INDArray values) {
        this.target = target;
        this.values = values;
    }

    /**
     * @param model the model
     * @param x a validated input batch
     * @param target the requested target
     * @return the pinned target and its values on {@code x}
     */
    public static PinnedTarget of(InterpretableModel model, INDArray x, Target target) {
        target.validateBatch(x.size(0));
        String layer = target.layer() == null ? model.outputLayer() : target.layer();
        INDArray act = model.activations(x, layer).get(layer);
        target.validate(layer, act.shape());
        Target fixed = target.fixedFor(act);
        return new PinnedTarget(fixed, fixed.value(act));
    }
}
