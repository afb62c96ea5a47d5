package org.deeplearning4j.interpret.gradient;

/**
 * How the backward pass treats ReLU non-linearities. The forward pass is identical under every rule.
 *
 * <ul>
 *   <li>{@link #NORMAL}: the true derivative, {@code eps * (z > 0)}.</li>
 *   <li>{@link #GUIDED}: guided backpropagation (Springenberg et al. 2015, arXiv:1412.6806),
 *       {@code relu(eps) * (z > 0)}.</li>
 *   <li>{@link #DECONVNET}: the deconvnet rule (Zeiler &amp; Fergus 2014, arXiv:1311.2901), {@code relu(eps)}.</li>
 * </ul>
 */
public enum ReluRule {
    /** The true ReLU derivative. */
    NORMAL,
    /** Guided backpropagation: pass only positive gradients through units that were active. */
    GUIDED,
    /** Deconvnet: pass only positive gradients, ignoring the forward activation pattern. */
    DECONVNET
}
