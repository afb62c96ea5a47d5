package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2DDerivative;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

import java.util.List;

/**
 * Max and average subsampling (p-norm on DL4J's own layers). Max pooling follows {@link MaxRules} on every engine and
 * rule: the gradient is split equally among tied maxima, LRP gives each window's relevance to its maxima, DeepLIFT
 * passes multipliers as the gradient at the input (exact where a window's maximum sits at the same place for the input
 * and the reference). Average and sum pooling are linear without parameters: their transposed map. A window of the
 * input per output unit.
 */
final class SubsamplingRules extends LayerRules<SubsamplingLayer> {
    /** The only instance. */
    static final SubsamplingRules INSTANCE = new SubsamplingRules();

    private SubsamplingRules() {
    }

    private static boolean max(SubsamplingLayer c) {
        return c.getPoolingType() == PoolingType.MAX;
    }

    private static MaxRules.Window window(SubsamplingLayer c) {
        return new MaxRules.Window(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation(),
                c.getConvolutionMode() == ConvolutionMode.Same);
    }

    @Override
    public boolean mirrored() {
        return true;
    }

    @Override
    public CNN2DFormat format(SubsamplingLayer c) {
        return c.getCnn2dDataFormat();
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, SubsamplingLayer c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        PaddingMode mode = ConvOps.paddingMode(c.getConvolutionMode());
        PoolingType t = c.getPoolingType();
        if (mode == null || (t != PoolingType.MAX && t != PoolingType.AVG)) {
            return cx.unsupported(name, "SubsamplingLayer " + t + "/" + c.getConvolutionMode());
        }
        SameDiff sd = cx.sd();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1])
                .dH(d[0]).dW(d[1]).paddingMode(mode).isNHWC(false)
                .type(t == PoolingType.MAX ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                .divisor(c.isAvgPoolIncludePadInDivisor() ? Pooling2D.Divisor.INCLUDE_PADDING
                        : Pooling2D.Divisor.EXCLUDE_PADDING)
                .build();
        if (t == PoolingType.MAX) {
            SDVariable out = sd.cnn().maxPooling2d(x, cfg);
            MaxRules.Window win = window(c);
            DataType dt = cx.dt();
            return new SameDiffMirror.Piece(out, (e, r, shapes) -> List.of(MaxRules.pool(sd, x, e, win,
                    shapes.get(x.name()), shapes.get(out.name()), dt)), x, out);
        }
        SDVariable out = sd.cnn().avgPooling2d(x, cfg);
        return new SameDiffMirror.Piece(out, (e, r, shapes) -> List.of(Pooling2DDerivative.derivativeBuilder()
                .sameDiff(sd).inputs(new SDVariable[] {x, e}).config(cfg).build().outputVariables()[0]));
    }

    @Override
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, SubsamplingLayer c, INDArray x, INDArray e) {
        return max(c) ? MaxRules.pool(l.input(), e, window(c)) : null;
    }

    @Override
    String walkRefusal(SubsamplingLayer c) {
        return walkRefusal(c.getPoolingType(), "pooling");
    }

    /**
     * @param t a pooling type
     * @param what the layer kind, for the message
     * @return null for max, average and sum pooling (the relevance rules cover them), else why not
     */
    static String walkRefusal(PoolingType t, String what) {
        return t == PoolingType.MAX || t == PoolingType.AVG || t == PoolingType.SUM ? null : t + " " + what;
    }

    @Override
    INDArray lrp(WalkStep s, SubsamplingLayer c, INDArray r) {
        return max(c) ? MaxRules.pool(s.x(), r, window(c)) : lrpThroughTranspose(s, r);
    }

    @Override
    INDArray deepLift(WalkStep s, SubsamplingLayer c, INDArray m) {
        // DeepLIFT's own choice for maxima: the gradient at the input (bounded; exact where the maximum's position is
        // the same for the input and the reference)
        return max(c) ? MaxRules.pool(s.x(), m, window(c)) : s.transpose(s.x(), m);
    }

    @Override
    INDArray[] revealCancel(WalkStep s, SubsamplingLayer c, INDArray[] m) {
        if (!max(c)) {
            return revealCancelThroughTranspose(s, m);
        }
        INDArray x = s.x();
        MaxRules.Window win = window(c);
        return new INDArray[] {MaxRules.pool(x, m[0], win), MaxRules.pool(x, m[1], win)};
    }

    @Override
    INDArray delta(WalkStep s, SubsamplingLayer c, INDArray[] h, INDArray packed) {
        return max(c) ? WalkMath.signParts(s.y().sub(s.y0())) : s.forward(packed);
    }

    @Override
    public Footprint footprint(SubsamplingLayer c) {
        return Footprint.window(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation(),
                c.getConvolutionMode());
    }

    @Override
    public double flops(SubsamplingLayer c, long[] in, long[] out) {
        int[] k = c.getKernelSize();
        return elements(out) * k[0] * k[1];
    }
}
