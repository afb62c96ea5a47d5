package org.deeplearning4j.interpret.gradient;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A DL4J activation that computes ReLU forward and applies a {@link ReluRule} backward. Installed only into the
 * engine's private analysis copies of a network, never into the user's model.
 */
public final class RuleReluActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    private ReluRule rule = ReluRule.NORMAL;

    /** For JSON deserialisation only. */
    public RuleReluActivation() {
    }

    /** @param rule the backward rule */
    public RuleReluActivation(ReluRule rule) {
        this.rule = rule;
    }

    /** @return the backward rule */
    public ReluRule rule() {
        return rule;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        // Same in-place contract as DL4J's ActivationReLU.
        Nd4j.getExecutioner().exec(new RectifiedLinear(in, in));
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray z, INDArray epsilon) {
        assertShape(z, epsilon);
        INDArray mask = z.gt(0.0).castTo(z.dataType());
        INDArray grad;
        switch (rule) {
            case GUIDED:
                grad = Transforms.relu(epsilon, true).muli(mask);
                break;
            case DECONVNET:
                grad = Transforms.relu(epsilon, true);
                break;
            default:
                grad = epsilon.mul(mask);
        }
        return new Pair<>(grad, null);
    }

    @Override
    public String toString() {
        return "relu[" + rule + "]";
    }
}
