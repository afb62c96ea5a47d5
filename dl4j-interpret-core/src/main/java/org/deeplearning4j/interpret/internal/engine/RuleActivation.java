package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A DL4J activation that computes a rectifier's forward pass unchanged and applies a {@link ReluRule} backward, by
 * the formula of {@link ActivationRules}: guided passes {@code relu(eps)} through the rectifier's own derivative,
 * deconvnet passes {@code relu(eps)} alone. Installed only into the engine's private analysis copies, never into the
 * user's model.
 */
public final class RuleActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 2L;

    private IActivation inner;
    private ReluRule rule = ReluRule.NORMAL;

    /** For JSON deserialisation only. */
    public RuleActivation() {
    }

    /**
     * @param inner the rectifier whose forward pass and derivative are kept
     * @param rule the backward rule
     */
    public RuleActivation(IActivation inner, ReluRule rule) {
        this.inner = inner;
        this.rule = rule;
    }

    /** @return the wrapped rectifier */
    public IActivation getInner() {
        return inner;
    }

    /** @param inner the wrapped rectifier (JSON) */
    public void setInner(IActivation inner) {
        this.inner = inner;
    }

    /** @return the backward rule */
    public ReluRule getRule() {
        return rule;
    }

    /** @param rule the backward rule (JSON) */
    public void setRule(ReluRule rule) {
        this.rule = rule;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return inner.getActivation(in, training);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray z, INDArray epsilon) {
        assertShape(z, epsilon);
        return rule.atRectifier(epsilon, e -> Transforms.relu(e, true), e -> inner.backprop(z, e),
                e -> new Pair<INDArray, INDArray>(e, null));
    }

    @Override
    public String toString() {
        return inner + "[" + rule + "]";
    }
}
