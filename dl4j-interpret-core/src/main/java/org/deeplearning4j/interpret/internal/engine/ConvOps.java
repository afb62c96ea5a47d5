package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DL4J convolution's linear map and its transpose as eager libnd4j ops (oneDNN on CPU), with any weights: what the
 * rule walker runs for each rule at a convolution. The same arithmetic as {@link SameDiffMirror}'s convolution:
 * DL4J's {@code [oC, iC, kH, kW]} weights read as they are, the transpose as a transposed convolution without
 * padding ({@link TransposedConvolution}), then cropped (and padded where the forward pass dropped trailing rows) to
 * the input ({@link #crop}).
 * Covers what the mirror covers: plain NCHW convolutions, no dilation, same/truncate/strict modes; {@link #of}
 * returns null for anything else, which then runs on DL4J's own layer.
 */
final class ConvOps {
    private final int[] k;
    private final int[] s;
    private final int[] p;
    private final boolean same;
    private final Conv2DConfig forward;

    private ConvOps(ConvolutionLayer c) {
        this.k = c.getKernelSize();
        this.s = c.getStride();
        this.p = c.getPadding();
        this.same = c.getConvolutionMode() == ConvolutionMode.Same;
        this.forward = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1]).dH(1).dW(1)
                .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.OIYX).build();
    }

    /** @return the eager ops for a convolution the fast path covers, else null */
    static ConvOps of(org.deeplearning4j.nn.conf.layers.Layer c) {
        if (c == null || (c.getClass() != ConvolutionLayer.class
                && c.getClass() != org.deeplearning4j.nn.conf.layers.Convolution2D.class)) {
            return null;
        }
        ConvolutionLayer cl = (ConvolutionLayer) c;
        return uncovered(cl) == null ? new ConvOps(cl) : null;
    }

    /**
     * The fast path's coverage of convolutions, shared by the mirror and the rule walker.
     *
     * @param c a convolution
     * @return why the fast path cannot express it, or null when it can
     */
    static String uncovered(ConvolutionLayer c) {
        if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            return "NHWC ConvolutionLayer";
        }
        if (paddingMode(c.getConvolutionMode()) == null) {
            return "ConvolutionLayer with " + c.getConvolutionMode() + " mode";
        }
        int[] d = c.getDilation();
        if (d[0] != 1 || d[1] != 1) {
            // oneDNN in the M2.1 CPU build fails to create some FP32 dilated-convolution descriptors
            return "dilated ConvolutionLayer";
        }
        return null;
    }

    /**
     * @param m a DL4J convolution mode
     * @return libnd4j's padding mode for it, or null for a mode the fast path does not run (causal)
     */
    static PaddingMode paddingMode(ConvolutionMode m) {
        switch (m) {
            case Same:
                return PaddingMode.SAME;
            case Truncate:
            case Strict:
                return PaddingMode.VALID;
            default:
                return null;
        }
    }

    /** @return {@code conv(a, w) + b} (b may be null) */
    INDArray forward(INDArray a, INDArray w, INDArray b) {
        return b == null ? Nd4j.cnn().conv2d(a, w, forward) : Nd4j.cnn().conv2d(a, w, b.reshape(-1), forward);
    }

    /**
     * Where the unpadded transposed convolution's output sits relative to the convolution's input.
     *
     * @param in the convolution's input height and width
     * @param out its output height and width
     * @param k kernel height and width
     * @param s stride height and width
     * @param p configured padding (truncate/strict modes)
     * @param same whether the convolution uses same mode
     * @return {top rows/columns to drop, rows/columns to append at the end (the forward pass dropped them)}
     */
    static int[][] crop(long[] in, long[] out, int[] k, int[] s, int[] p, boolean same) {
        int[] top = new int[2];
        int[] extra = new int[2];
        for (int ax = 0; ax < 2; ax++) {
            long covered = (out[ax] - 1) * s[ax] + k[ax];
            long total = same ? Math.max(0, covered - in[ax]) : 2L * p[ax];
            top[ax] = (int) (same ? total / 2 : p[ax]);
            extra[ax] = (int) (in[ax] + total - covered);
        }
        return new int[][] {top, extra};
    }

    /** @return the transposed map of {@code g} back to an input shaped like {@code a} */
    INDArray transpose(INDArray a, INDArray w, INDArray g) {
        INDArray full = Nd4j.create(g.dataType(), g.size(0), w.size(1), (g.size(2) - 1) * s[0] + k[0],
                (g.size(3) - 1) * s[1] + k[1]);
        Nd4j.exec(TransposedConvolution.eager(g, w, full, k, s));
        long[] in = {a.size(2), a.size(3)};
        int[][] c = crop(in, new long[] {g.size(2), g.size(3)}, k, s, p, same);
        int[] top = c[0];
        int[] extra = c[1];
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
