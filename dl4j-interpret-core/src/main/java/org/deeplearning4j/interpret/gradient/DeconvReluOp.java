package org.deeplearning4j.interpret.gradient;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;

import java.util.Collections;
import java.util.List;

/**
 * libnd4j's ReLU with the deconvnet backward rule {@code relu(eps)} (Zeiler &amp; Fergus 2014). Stateless on
 * purpose: SameDiff may re-create ops by class when it builds the gradient function.
 */
public final class DeconvReluOp extends RectifiedLinear {
    /** For op re-creation only. */
    public DeconvReluOp() {
    }

    /**
     * @param sd the graph
     * @param in the pre-activation
     */
    public DeconvReluOp(SameDiff sd, SDVariable in) {
        super(sd, in, false, 0.0);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grad) {
        return Collections.singletonList(sameDiff.nn().relu(grad.get(0), 0.0));
    }
}
