package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.interpret.internal.engine.ActivationRules;
import org.deeplearning4j.interpret.internal.engine.RuleActivation;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * How the backward pass treats ReLU non-linearities. The forward pass is identical under every rule.
 *
 * <ul>
 *   <li>{@link #NORMAL}: the true derivative, {@code eps * (z > 0)}.</li>
 *   <li>{@link #GUIDED}: guided backpropagation (Springenberg et al. 2015, arXiv:1412.6806),
 *       {@code relu(eps) * (z > 0)}.</li>
 *   <li>{@link #DECONVNET}: the deconvnet rule (Zeiler &amp; Fergus 2014, arXiv:1311.2901), {@code relu(eps)}.</li>
 * </ul>
 * At any rectifier the rule is {@link #atRectifier}: the one definition every engine applies (DL4J layers through
 * {@link RuleActivation}, the fast path through {@link ActivationRules}, SameDiff graphs op by op).
 */
public enum ReluRule {
    /** The true ReLU derivative. */
    NORMAL,
    /** Guided backpropagation: pass only positive gradients through units that were active. */
    GUIDED,
    /** Deconvnet: pass only positive gradients, ignoring the forward activation pattern. */
    DECONVNET;

    /**
     * The backward pass of a rectifier under this rule: the true derivative applied to the incoming gradient
     * ({@link #NORMAL}), to its positive part ({@link #GUIDED}), or the positive part passed on as it is
     * ({@link #DECONVNET}).
     *
     * @param incoming the gradient arriving at the rectifier's output
     * @param relu the positive part of a gradient
     * @param derivative the rectifier's true backward pass of a gradient
     * @param passOn the gradient passed on unchanged (in the form {@code derivative} returns)
     * @param <G> the gradient type (an array or a graph variable)
     * @param <R> what the backward pass returns
     * @return the gradient at the rectifier's input
     */
    public <G, R> R atRectifier(G incoming, UnaryOperator<G> relu, Function<G, R> derivative, Function<G, R> passOn) {
        switch (this) {
            case GUIDED:
                return derivative.apply(relu.apply(incoming));
            case DECONVNET:
                return passOn.apply(relu.apply(incoming));
            default:
                return derivative.apply(incoming);
        }
    }
}
