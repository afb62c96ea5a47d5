package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.LrpRule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The arithmetic of each {@link LrpRule} on one linear layer: given the layer's input {@code a} and the relevance
 * {@code r} of its outputs, the relevance of its inputs. Every rule has the form {@code sum_k in_k * w_k^T (r / z)}
 * with {@code z = sum_k w_k in_k + bias}, for inputs and weights modified by the rule.
 */
final class LrpRules {
    private LrpRules() {
    }

    /**
     * @return {@code num / den} where {@code |den| > tol}, else 0
     */
    static INDArray safeDiv(INDArray num, INDArray den, double tol) {
        double t = Math.max(tol, LrpRule.STABILIZER);
        INDArray keep = Transforms.abs(den).gt(t).castTo(den.dataType());
        // where den is (nearly) zero, divide by 1 and zero the result
        INDArray safe = den.mul(keep).addi(keep.rsub(1.0));
        return num.div(safe).muli(keep);
    }

    /** @return {@code z + eps * sign(z)}, with sign(0) = 1 */
    private static INDArray stabilise(INDArray z, double eps) {
        if (eps == 0) {
            return z;
        }
        INDArray sign = z.gte(0.0).castTo(z.dataType()).muli(2).subi(1);
        return z.add(sign.muli(eps));
    }

    static INDArray apply(LrpRule rule, RuleWalker.Linear l, INDArray a, INDArray r) {
        INDArray w = l.w;
        INDArray b = l.b;
        switch (rule.kind()) {
            case EPSILON: {
                INDArray s = safeDiv(r, stabilise(l.forward(a, w, b), rule.first()), 0);
                return a.mul(l.transpose(a, w, s));
            }
            case GAMMA: {
                double gamma = rule.first();
                INDArray wg = w.add(Transforms.relu(w, true).muli(gamma));
                INDArray bg = b == null ? null : b.add(Transforms.relu(b, true).muli(gamma));
                INDArray s = safeDiv(r, l.forward(a, wg, bg), 0);
                return a.mul(l.transpose(a, wg, s));
            }
            case ALPHA_BETA:
            case Z_PLUS: {
                boolean bias = rule.kind() == LrpRule.Kind.ALPHA_BETA && b != null;
                INDArray ap = Transforms.relu(a, true);
                INDArray an = a.sub(ap);
                INDArray wp = Transforms.relu(w, true);
                INDArray wn = w.sub(wp);
                INDArray bp = bias ? Transforms.relu(b, true) : null;
                INDArray bn = bias ? b.sub(bp) : null;
                // after a ReLU the inputs have no negative part: skip its terms (half the work)
                boolean negInputs = an.minNumber().doubleValue() < 0;
                INDArray zp = l.forward(ap, wp, bp);
                if (negInputs) {
                    zp.addi(l.forward(an, wn, null));
                }
                INDArray sp = safeDiv(r, zp, 0);
                INDArray pos = ap.mul(l.transpose(ap, wp, sp));
                if (negInputs) {
                    pos.addi(an.mul(l.transpose(an, wn, sp)));
                }
                if (rule.second() == 0) {
                    return rule.first() == 1 ? pos : pos.muli(rule.first());
                }
                INDArray zn = l.forward(ap, wn, bn);
                if (negInputs) {
                    zn.addi(l.forward(an, wp, null));
                }
                INDArray sn = safeDiv(r, zn, 0);
                INDArray neg = ap.mul(l.transpose(ap, wn, sn));
                if (negInputs) {
                    neg.addi(an.mul(l.transpose(an, wp, sn)));
                }
                return pos.muli(rule.first()).subi(neg.muli(rule.second()));
            }
            case Z_BOX: {
                INDArray low = Nd4j.valueArrayOf(a.shape(), rule.first(), a.dataType());
                INDArray high = Nd4j.valueArrayOf(a.shape(), rule.second(), a.dataType());
                INDArray wp = Transforms.relu(w, true);
                INDArray wn = w.sub(wp);
                INDArray z = l.forward(a, w, b).subi(l.forward(low, wp, null)).subi(l.forward(high, wn, null));
                INDArray s = safeDiv(r, z, 0);
                return a.mul(l.transpose(a, w, s)).subi(low.mul(l.transpose(low, wp, s)))
                        .subi(high.mul(l.transpose(high, wn, s)));
            }
            case FLAT: {
                INDArray ones = Nd4j.onesLike(a);
                INDArray w1 = Nd4j.onesLike(w);
                INDArray s = safeDiv(r, l.forward(ones, w1, null), 0);
                return l.transpose(ones, w1, s);
            }
            default: {
                INDArray ones = Nd4j.onesLike(a);
                INDArray w2 = w.mul(w);
                INDArray s = safeDiv(r, l.forward(ones, w2, null), 0);
                return l.transpose(ones, w2, s);
            }
        }
    }
}
