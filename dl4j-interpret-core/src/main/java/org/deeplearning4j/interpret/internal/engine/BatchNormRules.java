package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/**
 * Batch normalization with inference statistics, the per-channel affine map {@code scale x + shift}. Fast path:
 * libnd4j's fused batchnorm op (oneDNN on CPU) over rank-1 views of the parameter rows; backward: the same op with
 * zero mean and shift, {@code e * gamma / sqrt(var + eps)}. On DL4J's own layers the backward is computed here too
 * (DL4J's would use batch statistics). LRP: folded into the linear layer before it when that layer feeds nothing
 * else, otherwise LRP-epsilon on the affine map; DeepLIFT and RevealCancel: the scale (signed per channel for
 * RevealCancel). DL4J's BatchNormalization ignores its configured activation function; so do the rules.
 */
final class BatchNormRules extends LayerRules<BatchNormalization> {
    /** The only instance. */
    static final BatchNormRules INSTANCE = new BatchNormRules();

    private BatchNormRules() {
    }

    @Override
    public boolean mirrored() {
        return true;
    }

    @Override
    public CNN2DFormat format(BatchNormalization c) {
        return c.getCnn2DFormat();
    }

    /** @return null: DL4J's batch normalization ignores its configured activation, and so do the engines */
    @Override
    public org.nd4j.linalg.activations.IActivation activation(BatchNormalization c) {
        return null;
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, BatchNormalization c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        SameDiff sd = cx.sd();
        SDVariable mean = cx.vector(name, rt, BatchNormalizationParamInitializer.GLOBAL_MEAN);
        SDVariable var;
        if (c.isUseLogStd()) {
            SDVariable log10s = cx.vector(name, rt, BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            SDVariable sdev = sd.math().exp(log10s.mul(Math.log(10.0)));
            var = sdev.mul(sdev);
        } else {
            var = cx.vector(name, rt, BatchNormalizationParamInitializer.GLOBAL_VAR);
        }
        long channels = rt.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).length();
        DataType dt = cx.dt();
        SDVariable gamma = c.isLockGammaBeta()
                ? sd.constant(Nd4j.valueArrayOf(new long[] {channels}, lockedGamma(c), dt))
                : cx.vector(name, rt, BatchNormalizationParamInitializer.GAMMA);
        SDVariable beta = c.isLockGammaBeta()
                ? sd.constant(Nd4j.valueArrayOf(new long[] {channels}, lockedBeta(c), dt))
                : cx.vector(name, rt, BatchNormalizationParamInitializer.BETA);
        SDVariable y = sd.nn().batchNorm(x, mean, var, gamma, beta, c.getEps(), 1);
        SDVariable zero = sd.constant(Nd4j.zeros(dt, channels));
        return new SameDiffMirror.Piece(y, (e, r, s) -> List.of(sd.nn().batchNorm(e, zero, var, gamma, zero,
                c.getEps(), 1)));
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, BatchNormalization c, INDArray x, INDArray e) {
        INDArray scale = affine(l)[0];
        long[] shape = e.rank() == 4 ? new long[] {1, scale.length(), 1, 1} : new long[] {1, scale.length()};
        return e.mul(scale.reshape(shape));
    }

    @Override
    String walkRefusal(BatchNormalization c) {
        return null;
    }

    @Override
    INDArray lrp(WalkStep s, BatchNormalization c, INDArray r) {
        INDArray[] affine = affine(s.layer());
        if (s.foldIntoProducer(affine)) {
            return r;
        }
        INDArray x = s.x();
        INDArray scaled = x.mul(WalkMath.bcast(affine[0], x));
        INDArray z = scaled.add(WalkMath.bcast(affine[1], x));
        return scaled.muli(LrpRules.safeDiv(r, z, 0));
    }

    @Override
    INDArray deepLift(WalkStep s, BatchNormalization c, INDArray m) {
        return m.mul(WalkMath.bcast(affine(s.layer())[0], s.x()));
    }

    @Override
    INDArray[] revealCancel(WalkStep s, BatchNormalization c, INDArray[] m) {
        return WalkMath.signedScale(WalkMath.bcast(affine(s.layer())[0], s.x()), m);
    }

    @Override
    INDArray delta(WalkStep s, BatchNormalization c, INDArray[] h, INDArray packed) {
        INDArray[] out = WalkMath.signedScale(WalkMath.bcast(affine(s.layer())[0], h[0]), h);
        return WalkMath.pack(out[0], out[1]);
    }

    @Override
    public Footprint footprint(BatchNormalization c) {
        return Footprint.UNIT_OR_WHOLE;
    }

    /**
     * @param layer a batch-normalization layer instance
     * @return {scale, shift} per channel of its inference map, rank 1
     */
    static INDArray[] affine(org.deeplearning4j.nn.api.Layer layer) {
        BatchNormalization c = (BatchNormalization) layer.conf().getLayer();
        INDArray std = Transforms.sqrt(variance(layer, c).addi(c.getEps()), false);
        INDArray gamma;
        INDArray beta;
        if (c.isLockGammaBeta()) {
            gamma = Nd4j.valueArrayOf(std.shape(), lockedGamma(c), std.dataType());
            beta = Nd4j.valueArrayOf(std.shape(), lockedBeta(c), std.dataType());
        } else {
            gamma = layer.getParam(BatchNormalizationParamInitializer.GAMMA);
            beta = layer.getParam(BatchNormalizationParamInitializer.BETA);
        }
        INDArray mean = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray scale = gamma.div(std).reshape(-1);
        INDArray shift = beta.reshape(-1).sub(mean.reshape(-1).mul(scale));
        return new INDArray[] {scale, shift};
    }

    /** DL4J applies locked gamma/beta only when gamma != 1 and beta != 0 (M2.1 behaviour, mirrored exactly). */
    static double lockedGamma(BatchNormalization c) {
        return c.getGamma() != 1.0 && c.getBeta() != 0.0 ? c.getGamma() : 1.0;
    }

    /** @see #lockedGamma */
    static double lockedBeta(BatchNormalization c) {
        return c.getGamma() != 1.0 && c.getBeta() != 0.0 ? c.getBeta() : 0.0;
    }

    private static INDArray variance(org.deeplearning4j.nn.api.Layer l, BatchNormalization c) {
        if (c.isUseLogStd()) {
            INDArray log10s = l.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray s = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, log10s.dataType()), log10s, false);
            return s.muli(s);
        }
        return l.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).dup();
    }
}
