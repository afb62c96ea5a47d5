package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Activation layers. Fast path: the activation and its rule ({@link ReluRule} at rectifiers). DL4J's own backward
 * reads the input its forward pass overwrote with the activation (wrong for all but ReLU): the derivative is taken
 * at the kept input instead. LRP passes relevance unchanged; DeepLIFT's Rescale rule and RevealCancel's parts.
 */
final class ActivationLayerRules extends LayerRules<ActivationLayer> {
    /** The only instance. */
    static final ActivationLayerRules INSTANCE = new ActivationLayerRules();

    private ActivationLayerRules() {
    }

    @Override
    public boolean mirrored() {
        return true;
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, ActivationLayer c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        IActivation act = c.getActivationFn();
        if (!ActivationRules.mirrorSupports(act)) {
            return cx.unsupported(name, "activation " + act);
        }
        SameDiff sd = cx.sd();
        int rank = cx.inputRank();
        SDVariable y = ActivationRules.forward(sd, act, x, rank);
        DataType dt = cx.dt();
        return new SameDiffMirror.Piece(y, (e, r, s) -> List.of(ActivationRules.backward(sd, act, x, y, e, r, dt,
                rank)));
    }

    @Override
    boolean overwritesInput() {
        return true;
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, ActivationLayer c, INDArray x, INDArray e) {
        return c.getActivationFn().backprop(x.dup(), e.dup()).getFirst();
    }

    @Override
    String walkRefusal(ActivationLayer c) {
        return null;
    }

    @Override
    INDArray lrp(WalkStep s, ActivationLayer c, INDArray r) {
        return r;
    }

    @Override
    INDArray deepLift(WalkStep s, ActivationLayer c, INDArray m) {
        return WalkMath.rescale(c.getActivationFn(), s.x(), s.x0(), m);
    }

    @Override
    INDArray[] revealCancel(WalkStep s, ActivationLayer c, INDArray[] m) {
        return WalkMath.revealCancelSlopes(c.getActivationFn(), s.x(), s.deltaIn(), WalkMath.split(s.deltaOut()), m);
    }

    @Override
    INDArray delta(WalkStep s, ActivationLayer c, INDArray[] h, INDArray packed) {
        return WalkMath.revealCancelParts(s::forward, s.x0(), h[0], h[1]);
    }
}
