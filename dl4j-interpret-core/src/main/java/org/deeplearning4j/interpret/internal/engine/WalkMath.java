package org.deeplearning4j.interpret.internal.engine;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The arithmetic DeepLIFT's rules share across layer types: the Rescale rule's secant slopes with the derivative
 * where a value hardly changed, and RevealCancel's positive and negative parts (packed as one array of twice the
 * batch, {@code [positive; negative]}).
 */
final class WalkMath {
    /** Below this absolute change a value counts as unchanged. */
    static final double RESCALE_TOLERANCE = 1e-7;

    private WalkMath() {
    }

    /**
     * A change smaller than this fraction of the values' magnitude is within rounding of zero (FP32: the difference
     * of two values ~1e3 computed in separate passes carries ~1e-4 of noise; dividing by it would give multipliers
     * of noise).
     */
    private static double relativeTolerance(org.nd4j.linalg.api.buffer.DataType dt) {
        return dt == org.nd4j.linalg.api.buffer.DataType.DOUBLE ? 1e-12 : 1e-5;
    }

    /** @return 1 where {@code |a - b|} is within rounding of zero, else 0 */
    static INDArray unchanged(INDArray a, INDArray b) {
        INDArray scale = Transforms.max(Transforms.abs(a), Transforms.abs(b), false).muli(relativeTolerance(
                a.dataType()));
        INDArray tol = Transforms.max(scale, RESCALE_TOLERANCE, false);
        return Transforms.abs(a.sub(b), false).lt(tol).castTo(a.dataType());
    }

    /** Rescale: {@code m * (f(z) - f(z0)) / (z - z0)}, or {@code m * f'(z)} where {@code z} hardly changed. */
    static INDArray rescale(IActivation act, INDArray z, INDArray z0, INDArray m) {
        INDArray y = act.getActivation(z.dup(), false);
        INDArray y0 = act.getActivation(z0.dup(), false);
        INDArray dz = z.sub(z0);
        INDArray small = unchanged(z, z0);
        INDArray secant = LrpRules.safeDiv(y.sub(y0), dz.add(small), RESCALE_TOLERANCE);
        INDArray grad = act.backprop(z.dup(), m.dup()).getFirst();
        return m.mul(secant).muli(small.rsub(1.0)).addi(grad.muli(small));
    }

    /** @return {@code [relu(d); d - relu(d)]} */
    static INDArray signParts(INDArray d) {
        INDArray pos = Transforms.relu(d, true);
        return Nd4j.concat(0, pos, d.sub(pos));
    }

    /** @return the two halves of a packed {@code [positive; negative]} array */
    static INDArray[] split(INDArray packed) {
        long n = packed.size(0) / 2;
        return new INDArray[] {packed.get(NDArrayIndex.interval(0, n)).dup(),
            packed.get(NDArrayIndex.interval(n, 2 * n)).dup()};
    }

    /** @return {@code [a; b]} */
    static INDArray pack(INDArray a, INDArray b) {
        return Nd4j.concat(0, a, b);
    }

    /** @return the packed parts of {@code -t}: {@code [-t-; -t+]} */
    static INDArray swapNegated(INDArray packed) {
        INDArray[] h = split(packed);
        return pack(h[1].neg(), h[0].neg());
    }

    /** @return {w+, w-} */
    static INDArray[] signedWeights(INDArray w) {
        INDArray wp = Transforms.relu(w, true);
        return new INDArray[] {wp, w.sub(wp)};
    }

    /** @return the positive and negative output parts of a linear map (no bias) from the input parts {@code h} */
    static INDArray[] signedForward(RuleWalker.Linear lin, INDArray[] h) {
        INDArray[] w = signedWeights(lin.w);
        return new INDArray[] {lin.forward(h[0], w[0], null).addi(lin.forward(h[1], w[1], null)),
            lin.forward(h[0], w[1], null).addi(lin.forward(h[1], w[0], null))};
    }

    /**
     * A per-channel scale on two parts: each output part takes the parts that the scale's sign sends there. Serves
     * both directions (the forward differences and the backward multipliers), as the map is diagonal.
     */
    static INDArray[] signedScale(INDArray scale, INDArray[] h) {
        INDArray[] s = signedWeights(scale);
        return new INDArray[] {h[0].mul(s[0]).addi(h[1].mul(s[1])), h[1].mul(s[0]).addi(h[0].mul(s[1]))};
    }

    /** RevealCancel at {@code y = f(z)}: each part's effect averaged over the other part's absence and presence. */
    static INDArray revealCancelParts(java.util.function.UnaryOperator<INDArray> f, INDArray z0, INDArray dp,
            INDArray dn) {
        INDArray f0 = f.apply(z0);
        INDArray fp = f.apply(z0.add(dp));
        INDArray fn = f.apply(z0.add(dn));
        INDArray fpn = f.apply(z0.add(dp).addi(dn));
        INDArray yp = fp.sub(f0).addi(fpn.sub(fn)).muli(0.5);
        INDArray yn = fn.sub(f0).addi(fpn.sub(fp)).muli(0.5);
        return pack(yp, yn);
    }

    /** {@code m_z+ = m_y+ dy+ / dz+} and the same for the negative part; {@code f'(z)} where a part is ~0. */
    static INDArray[] revealCancelSlopes(IActivation act, INDArray z, INDArray[] dz, INDArray[] dy, INDArray[] m) {
        INDArray[] out = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            INDArray small = unchanged(dz[i], Nd4j.zerosLike(dz[i]));
            INDArray slope = LrpRules.safeDiv(dy[i], dz[i].add(small), RESCALE_TOLERANCE);
            INDArray grad = act.backprop(z.dup(), m[i].dup()).getFirst();
            out[i] = m[i].mul(slope).muli(small.rsub(1.0)).addi(grad.muli(small));
        }
        return out;
    }

    /** @return a per-channel vector shaped to broadcast over {@code like} ({@code [1, C, 1, 1]} or {@code [1, C]}) */
    static INDArray bcast(INDArray perChannel, INDArray like) {
        long[] s = new long[like.rank()];
        java.util.Arrays.fill(s, 1);
        s[1] = perChannel.length();
        return perChannel.reshape(s);
    }
}
