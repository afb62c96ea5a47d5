package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Layers that pass their input through at inference: dropout, and loss layers (logits: the analysis copy replaced
 * the output activation by identity). Every engine and rule passes the seed, relevance or multipliers unchanged.
 */
final class PassThroughRules extends LayerRules<Layer> {
    /** {@code DropoutLayer}. */
    static final PassThroughRules DROPOUT = new PassThroughRules(false);
    /** {@code LossLayer}: DL4J's own backward would apply the loss; the seed passes instead. */
    static final PassThroughRules LOSS = new PassThroughRules(true);

    private final boolean loss;

    private PassThroughRules(boolean loss) {
        this.loss = loss;
    }

    @Override
    public boolean mirrored() {
        return true;
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, Layer c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        return new SameDiffMirror.Piece(x, (e, r, s) -> List.of(e));
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, Layer c, INDArray x, INDArray e) {
        return loss ? e.dup() : null;
    }

    @Override
    String walkRefusal(Layer c) {
        return null;
    }

    @Override
    INDArray lrp(WalkStep s, Layer c, INDArray r) {
        return r;
    }

    @Override
    INDArray deepLift(WalkStep s, Layer c, INDArray m) {
        return m;
    }

    @Override
    INDArray[] revealCancel(WalkStep s, Layer c, INDArray[] m) {
        return m;
    }

    @Override
    INDArray delta(WalkStep s, Layer c, INDArray[] h, INDArray packed) {
        return packed;
    }

    @Override
    public Footprint footprint(Layer c) {
        return Footprint.UNIT_OR_WHOLE;
    }
}
