package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Relevance rules shared by the layers with weights (convolutions, dense and output layers): the LRP composite's rule
 * for the layer; DeepLIFT's multipliers through the transposed weights after the Rescale rule at a fused activation;
 * RevealCancel routing each part by the weights' signs. An output layer is exposed as logits: its fused activation
 * is not applied.
 *
 * @param <C> the layer configuration type
 */
abstract class LinearLayerRules<C extends BaseLayer> extends LayerRules<C> {

    /** @return whether the layer is a convolution (the composite may treat convolutions apart) */
    abstract boolean convolutional();

    @Override
    boolean parameterLinear() {
        return true;
    }

    @Override
    String walkRefusal(C c) {
        return null;
    }

    /** @return the fused activation that the walk applies, or null where the layer acts as linear */
    private static IActivation fused(LayerRules.WalkStep s, BaseLayer c) {
        IActivation act = c.getActivationFn();
        return ActivationRules.isIdentity(act) || s.isOutput() ? null : act;
    }

    @Override
    INDArray lrp(WalkStep s, C c, INDArray r) {
        return LrpRules.apply(s.lrpRule(convolutional()), s.linear(true), s.x(), r);
    }

    @Override
    INDArray deepLift(WalkStep s, C c, INDArray m) {
        INDArray a = s.x();
        RuleWalker.Linear lin = s.linear(false);
        IActivation act = fused(s, c);
        INDArray mz = act == null ? m
                : WalkMath.rescale(act, lin.forward(a, lin.w, lin.b), lin.forward(s.x0(), lin.w, lin.b), m);
        return lin.transpose(a, lin.w, mz);
    }

    @Override
    INDArray[] revealCancel(WalkStep s, C c, INDArray[] m) {
        INDArray x = s.x();
        RuleWalker.Linear lin = s.linear(false);
        IActivation act = fused(s, c);
        INDArray[] mz = act == null ? m : WalkMath.revealCancelSlopes(act, lin.forward(x, lin.w, lin.b),
                WalkMath.signedForward(lin, s.deltaIn()), WalkMath.split(s.deltaOut()), m);
        INDArray[] w = WalkMath.signedWeights(lin.w);
        // each input part reaches an output part through the weights of one sign: the transpose of the forward
        return new INDArray[] {lin.transpose(x, w[0], mz[0]).addi(lin.transpose(x, w[1], mz[1])),
            lin.transpose(x, w[0], mz[1]).addi(lin.transpose(x, w[1], mz[0]))};
    }

    @Override
    INDArray delta(WalkStep s, C c, INDArray[] h, INDArray packed) {
        RuleWalker.Linear lin = s.linear(false);
        INDArray[] z = WalkMath.signedForward(lin, h);
        IActivation act = fused(s, c);
        if (act == null) {
            return WalkMath.pack(z[0], z[1]);
        }
        INDArray z0 = lin.forward(s.x0(), lin.w, lin.b);
        return WalkMath.revealCancelParts(t -> act.getActivation(t.dup(), false), z0, z[0], z[1]);
    }
}
