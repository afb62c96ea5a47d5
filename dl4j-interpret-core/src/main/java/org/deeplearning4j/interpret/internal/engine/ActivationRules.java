package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Activations on both engines: which ones the {@link ReluRule}s apply to, and the mirror's forward and backward ops.
 *
 * <p><b>The rule per activation</b> (one formula for both engines and for SameDiff graphs). The rules are defined
 * for <i>rectifiers</i>: ReLU (any threshold, slope or cap), ReLU6, leaky ReLU, RReLU, ELU, SELU and thresholded
 * ReLU. At a rectifier with input {@code z} and incoming gradient {@code e}:
 * <ul>
 *   <li>{@link ReluRule#NORMAL}: {@code f'(z) * e};</li>
 *   <li>{@link ReluRule#GUIDED}: {@code f'(z) * relu(e)} (for ReLU exactly Springenberg et al.'s
 *       {@code [z > 0] * relu(e)});</li>
 *   <li>{@link ReluRule#DECONVNET}: {@code relu(e)}, whatever the forward pass did (Zeiler &amp; Fergus).</li>
 * </ul>
 * Every other activation (identity, sigmoid, tanh, softmax, softplus, GELU, swish, ...) is differentiated exactly
 * under every rule. A network without any rectifier is refused by the rule methods rather than given a plain
 * gradient under another name, and the activations that kept their true derivative are listed in the result.
 */
public final class ActivationRules {
    private ActivationRules() {
    }

    /**
     * @param a an activation (null means identity)
     * @return true if the ReLU rules apply to it
     */
    public static boolean isRectifier(IActivation a) {
        if (a instanceof RuleActivation) {
            return true;
        }
        return a instanceof ActivationReLU || a instanceof ActivationReLU6 || a instanceof ActivationLReLU
                || a instanceof ActivationRReLU || a instanceof ActivationELU || a instanceof ActivationSELU
                || a instanceof ActivationThresholdedReLU;
    }

    /**
     * @param a an activation (null means identity)
     * @return true if it is the identity
     */
    public static boolean isIdentity(IActivation a) {
        return a == null || a instanceof ActivationIdentity;
    }

    /** @return the activation that applies {@code rule} backward on an analysis copy (unchanged if not a rectifier) */
    static IActivation withRule(IActivation a, ReluRule rule) {
        return rule != ReluRule.NORMAL && isRectifier(a) ? new RuleActivation(a, rule) : a;
    }

    static boolean isPlainRelu(IActivation a) {
        if (!(a instanceof ActivationReLU)) {
            return false;
        }
        ActivationReLU r = (ActivationReLU) a;
        return isZeroOrNull(r.getThreshold()) && isZeroOrNull(r.getNegativeSlope()) && r.getMax() == null;
    }

    private static boolean isZeroOrNull(Double d) {
        return d == null || d == 0.0;
    }

    /** @return true if the mirror has ops for this activation */
    static boolean mirrorSupports(IActivation a) {
        return isIdentity(a) || isPlainRelu(a) || a instanceof ActivationSigmoid || a instanceof ActivationTanH
                || a instanceof ActivationLReLU || a instanceof ActivationSoftmax
                || (a instanceof ActivationELU && ((ActivationELU) a).getAlpha() == 1.0);
    }

    /** The mirror's forward op for {@code y = a(z)} on a rank-{@code rank} array. */
    static SDVariable forward(SameDiff sd, IActivation a, SDVariable z, int rank) {
        if (isIdentity(a)) {
            return z;
        }
        if (isPlainRelu(a)) {
            return sd.nn().relu(z, 0.0);
        }
        if (a instanceof ActivationSigmoid) {
            return sd.nn().sigmoid(z);
        }
        if (a instanceof ActivationTanH) {
            return sd.nn().tanh(z);
        }
        if (a instanceof ActivationLReLU) {
            return sd.nn().leakyRelu(z, ((ActivationLReLU) a).getAlpha());
        }
        if (a instanceof ActivationSoftmax) {
            // DL4J's ActivationSoftmax normalises over the last dimension (the classes of a 2-D input, the width of
            // a 4-D one): the mirror does exactly the same
            return sd.nn().softmax(z, rank - 1);
        }
        return sd.nn().elu(z);
    }

    /** The mirror's backward: {@code d/dz} from {@code e = d/dy} for {@code y = a(z)}, with the rule applied. */
    static SDVariable backward(SameDiff sd, IActivation a, SDVariable z, SDVariable y, SDVariable e, ReluRule r,
            DataType dt, int rank) {
        if (isRectifier(a)) {
            return r.atRectifier(e, g -> sd.nn().relu(g, 0.0), g -> derivative(sd, a, z, y, g, dt, rank), g -> g);
        }
        return derivative(sd, a, z, y, e, dt, rank);
    }

    /** The true backward pass: {@code d/dz} from {@code e = d/dy} for {@code y = a(z)}. */
    private static SDVariable derivative(SameDiff sd, IActivation a, SDVariable z, SDVariable y, SDVariable e,
            DataType dt, int rank) {
        if (isIdentity(a)) {
            return e;
        }
        if (isPlainRelu(a)) {
            // libnd4j's relu_bp: e where z > 0, else 0, in one op (a mask, a cast and a product before)
            return new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative(sd, z, e).outputVariables()[0];
        }
        if (a instanceof ActivationSigmoid) {
            return e.mul(y).mul(y.rsub(1.0));
        }
        if (a instanceof ActivationTanH) {
            return e.mul(y.mul(y).rsub(1.0));
        }
        if (a instanceof ActivationLReLU) {
            double alpha = ((ActivationLReLU) a).getAlpha();
            return e.mul(z.gt(0.0).castTo(dt).mul(1.0 - alpha).add(alpha));
        }
        if (a instanceof ActivationSoftmax) {
            return y.mul(e.sub(e.mul(y).sum(true, rank - 1)));
        }
        // ELU with alpha 1: derivative 1 for z > 0, else exp(z) = y + 1
        SDVariable active = z.gt(0.0).castTo(dt);
        return e.mul(active.add(active.rsub(1.0).mul(y.add(1.0))));
    }
}
