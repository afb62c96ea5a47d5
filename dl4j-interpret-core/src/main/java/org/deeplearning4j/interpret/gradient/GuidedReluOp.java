package org.deeplearning4j.interpret.gradient;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;

import java.util.Collections;
import java.util.List;

/**
 * libnd4j's ReLU with the guided-backpropagation backward rule {@code relu(eps) * (z > 0)} (Springenberg et al.
 * 2015). Stateless on purpose: SameDiff may re-create ops by class when it builds the gradient function.
 */
public final class GuidedReluOp extends RectifiedLinear {
    /** For op re-creation only. */
    public GuidedReluOp() {
    }

    /**
     * @param sd the graph
     * @param in the pre-activation
     */
    public GuidedReluOp(SameDiff sd, SDVariable in) {
        super(sd, in, false, 0.0);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grad) {
        SDVariable positive = sameDiff.nn().relu(grad.get(0), 0.0);
        SDVariable active = arg().gt(0.0).castTo(arg().dataType());
        return Collections.singletonList(positive.mul(active));
    }
}
