package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DL4J convolution's linear map and its transpose as eager libnd4j ops (oneDNN on CPU), with any weights: what the
 * rule walker runs for each rule at a convolution. The same arithmetic as {@link SameDiffMirror}'s convolution:
 * DL4J's {@code [oC, iC, kH, kW]} weights permuted to {@code [kH, kW, iC, oC]}, the transpose as a transposed
 * convolution without padding, then cropped (and padded where the forward pass dropped trailing rows) to the input.
 * Covers what the mirror covers: plain NCHW convolutions, no dilation, same/truncate/strict modes; {@link #of}
 * returns null for anything else, which then runs on DL4J's own layer.
 */
final class ConvOps {
    private final int[] k;
    private final int[] s;
    private final int[] p;
    private final boolean same;
    private final Conv2DConfig forward;
    private final DeConv2DConfig transposed;

    private ConvOps(ConvolutionLayer c) {
        this.k = c.getKernelSize();
        this.s = c.getStride();
        this.p = c.getPadding();
        this.same = c.getConvolutionMode() == ConvolutionMode.Same;
        this.forward = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1]).dH(1).dW(1)
                .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.YXIO).build();
        this.transposed = DeConv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(0).pW(0).dH(1).dW(1)
                .isSameMode(false).dataFormat("NCHW").build();
    }

    /** @return the eager ops for a convolution the fast path covers, else null */
    static ConvOps of(org.deeplearning4j.nn.conf.layers.Layer c) {
        if (c == null || (c.getClass() != ConvolutionLayer.class
                && c.getClass() != org.deeplearning4j.nn.conf.layers.Convolution2D.class)) {
            return null;
        }
        ConvolutionLayer cl = (ConvolutionLayer) c;
        ConvolutionMode m = cl.getConvolutionMode();
        boolean modeOk = m == ConvolutionMode.Same || m == ConvolutionMode.Truncate || m == ConvolutionMode.Strict;
        int[] d = cl.getDilation();
        return cl.getCnn2dDataFormat() == CNN2DFormat.NCHW && modeOk && d[0] == 1 && d[1] == 1 ? new ConvOps(cl)
                : null;
    }

    private static INDArray yxio(INDArray w) {
        return w.permute(2, 3, 1, 0).dup('c');
    }

    /** @return {@code conv(a, w) + b} (b may be null) */
    INDArray forward(INDArray a, INDArray w, INDArray b) {
        INDArray wf = yxio(w);
        return b == null ? Nd4j.cnn().conv2d(a, wf, forward) : Nd4j.cnn().conv2d(a, wf, b.reshape(-1), forward);
    }

    /** @return the transposed map of {@code s} back to an input shaped like {@code a} */
    INDArray transpose(INDArray a, INDArray w, INDArray g) {
        INDArray full = Nd4j.cnn().deconv2d(g, yxio(w), transposed);
        long[] in = {a.size(2), a.size(3)};
        long[] out = {g.size(2), g.size(3)};
        int[] top = new int[2];
        int[] extra = new int[2];
        for (int ax = 0; ax < 2; ax++) {
            long covered = (out[ax] - 1) * s[ax] + k[ax];
            long total = same ? Math.max(0, covered - in[ax]) : 2L * p[ax];
            top[ax] = (int) (same ? total / 2 : p[ax]);
            extra[ax] = (int) (in[ax] + total - covered);
        }
        if (extra[0] > 0 || extra[1] > 0) {
            INDArray padded = Nd4j.zeros(full.dataType(), full.size(0), full.size(1),
                    full.size(2) + Math.max(0, extra[0]), full.size(3) + Math.max(0, extra[1]));
            padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, full.size(2)),
                    NDArrayIndex.interval(0, full.size(3))).assign(full);
            full = padded;
        }
        return full.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(top[0], top[0] + in[0]),
                NDArrayIndex.interval(top[1], top[1] + in[1])).dup();
    }
}
