package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Dense and output layers (output layers as logits). Fast path: a matrix product, the bias, the activation; backward:
 * the activation's rule, then the transposed weights. On DL4J's own layers an output layer ignores the seed it is
 * given, so its input gradient is computed here: {@code e W^T}. LRP and DeepLIFT: the rules of layers with weights.
 * Every unit sees the whole input once the data is flat.
 */
final class DenseRules extends LinearLayerRules<FeedForwardLayer> {
    /** {@code DenseLayer}. */
    static final DenseRules DENSE = new DenseRules(true, false);
    /** {@code OutputLayer}. */
    static final DenseRules OUTPUT = new DenseRules(true, true);
    /** {@code CenterLossOutputLayer}: DL4J's own layers. */
    static final DenseRules CENTER_LOSS_OUTPUT = new DenseRules(false, true);

    private final boolean mirrored;
    private final boolean output;

    private DenseRules(boolean mirrored, boolean output) {
        this.mirrored = mirrored;
        this.output = output;
    }

    @Override
    public boolean mirrored() {
        return mirrored;
    }

    @Override
    boolean convolutional() {
        return false;
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, FeedForwardLayer c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        cx.outputRank(2);
        IActivation act = c.getActivationFn();
        if (!ActivationRules.mirrorSupports(act)) {
            return cx.unsupported(name, "activation " + act);
        }
        SameDiff sd = cx.sd();
        SDVariable w = cx.param(name, rt, "W");
        SDVariable z = x.mmul(w);
        // an output layer can be bias-free too (hasBias(false)): its "b" parameter does not exist then
        boolean hasBias = c instanceof DenseLayer ? ((DenseLayer) c).hasBias()
                : !(c instanceof BaseOutputLayer) || ((BaseOutputLayer) c).hasBias();
        if (hasBias) {
            z = z.add(cx.param(name, rt, "b"));
        }
        SDVariable pre = z;
        SDVariable y = ActivationRules.forward(sd, act, pre, 2);
        DataType dt = cx.dt();
        return new SameDiffMirror.Piece(y, (e, r, s) -> List.of(sd.mmul(ActivationRules.backward(sd, act, pre, y,
                e, r, dt, 2), w, false, true, false)));
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, FeedForwardLayer c, INDArray x, INDArray e) {
        // DL4J's output layers ignore the incoming epsilon; logits = in W + b, so d/d in = e W^T
        return output ? e.mmul(l.getParam("W").transpose()) : null;
    }

    @Override
    public Footprint footprint(FeedForwardLayer c) {
        return Footprint.UNIT_OR_WHOLE;
    }

    @Override
    public double flops(FeedForwardLayer c, long[] in, long[] out) {
        return Math.max(elements(out), (double) c.getNIn() * c.getNOut());
    }
}
