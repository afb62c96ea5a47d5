package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PReLU layers (learned slopes), on DL4J's own layers. DL4J's forward pass overwrites its input, so the backward
 * slope ({@code 1} where the kept input is positive, else alpha) is computed here, the true derivative under every
 * ReLU rule. LRP passes relevance unchanged; DeepLIFT: the Rescale rule's secant slope (the derivative where the
 * input hardly changed); RevealCancel: refused at the backward step (learned slopes per channel have no rule here).
 */
final class PReLURules extends LayerRules<PReLULayer> {
    /** The only instance. */
    static final PReLURules INSTANCE = new PReLURules();

    private PReLURules() {
    }

    @Override
    public boolean learnedRectifier() {
        return true;
    }

    @Override
    boolean overwritesInput() {
        return true;
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, PReLULayer c, INDArray x, INDArray e) {
        INDArray alpha = l.getParam("W");
        long[] as = new long[alpha.rank() + 1];
        as[0] = 1;
        System.arraycopy(alpha.shape(), 0, as, 1, alpha.rank());
        INDArray active = x.gt(0.0).castTo(x.dataType());
        INDArray slope = active.add(active.rsub(1.0).muli(alpha.reshape(as).broadcast(x.shape())));
        return e.mul(slope);
    }

    @Override
    String walkRefusal(PReLULayer c) {
        return null;
    }

    @Override
    INDArray lrp(WalkStep s, PReLULayer c, INDArray r) {
        return r;
    }

    @Override
    INDArray deepLift(WalkStep s, PReLULayer c, INDArray m) {
        INDArray z = s.x();
        INDArray z0 = s.x0();
        INDArray small = WalkMath.unchanged(z, z0);
        INDArray dz = z.sub(z0).addi(small);
        INDArray slope = LrpRules.safeDiv(s.y().sub(s.y0()), dz, WalkMath.RESCALE_TOLERANCE);
        INDArray grad = s.transpose(z, Nd4j.onesLike(z));
        return m.mul(slope.muli(small.rsub(1.0)).addi(grad.muli(small)));
    }

    @Override
    INDArray[] revealCancel(WalkStep s, PReLULayer c, INDArray[] m) {
        throw new InterpretException("RevealCancel has no rule for the PReLU layer '" + s.name() + "'; use DeepLIFT's "
                + "Rescale rule for this network");
    }

    @Override
    INDArray delta(WalkStep s, PReLULayer c, INDArray[] h, INDArray packed) {
        return WalkMath.revealCancelParts(s::forward, s.x0(), h[0], h[1]);
    }
}
