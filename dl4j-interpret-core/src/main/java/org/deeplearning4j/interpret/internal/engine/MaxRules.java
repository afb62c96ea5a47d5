package org.deeplearning4j.interpret.internal.engine;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The one subgradient rule of both engines for maxima: <b>where several inputs tie for a maximum, the gradient is
 * split equally among them</b> (max pooling windows, global max pooling, element-wise max vertices). Maxima are not
 * differentiable at ties, so any convex combination is a valid subgradient; the equal split is the one that does not
 * depend on scan order. libnd4j's {@code maxpool2d_bp} gives the whole gradient to one tied element, and which one
 * differs between its oneDNN and generic kernels, so neither engine uses it for max pooling. Ties are common:
 * Fashion-MNIST's black background makes whole 2x2 windows of exact zeros after a ReLU.
 *
 * <p>Max pooling is written with {@code im2col}/{@code col2im} (the same libnd4j ops on both engines): the padded
 * input is cut into windows, each window's gradient goes to its maxima in equal parts, and {@code col2im} sums the
 * windows back into the image. Padding never wins a window: it is filled with the lowest finite value.
 */
public final class MaxRules {
    private MaxRules() {
    }

    /** Pooling geometry: kernel, stride, dilation, and the top/left/bottom/right padding for an input size. */
    public static final class Window {
        final int[] k;
        final int[] s;
        final int[] d;
        final boolean same;
        final int[] p;

        public Window(int[] k, int[] s, int[] p, int[] d, boolean same) {
            this.k = k;
            this.s = s;
            this.p = p;
            this.d = d;
            this.same = same;
        }

        /** @return {top, bottom, left, right} padding so that windows without padding cover the padded input */
        int[] pads(long h, long w) {
            int[] out = new int[4];
            long[] size = {h, w};
            for (int a = 0; a < 2; a++) {
                long ek = (long) (k[a] - 1) * d[a] + 1;
                long o = same ? (size[a] + s[a] - 1) / s[a] : (size[a] + 2L * p[a] - ek) / s[a] + 1;
                long before = same ? Math.max(0, (o - 1) * s[a] + ek - size[a]) / 2 : p[a];
                long after = Math.max(0, (o - 1) * s[a] + ek - size[a] - before);
                out[2 * a] = (int) before;
                out[2 * a + 1] = (int) after;
            }
            return out;
        }
    }

    private static double lowest(DataType dt) {
        return dt == DataType.DOUBLE ? -Double.MAX_VALUE : -Float.MAX_VALUE;
    }

    /** Max-pooling backward on the SameDiff mirror; {@code inShape} is the static input shape. */
    public static SDVariable pool(SameDiff sd, SDVariable x, SDVariable e, Window win, long[] inShape, long[] outShape,
            DataType dt) {
        int[] pads = win.pads(inShape[2], inShape[3]);
        boolean padded = pads[0] + pads[1] + pads[2] + pads[3] > 0;
        INDArray padSpec = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {pads[0], pads[1]}, {pads[2], pads[3]}});
        SDVariable xp = padded ? sd.nn().pad(x, sd.constant(padSpec), lowest(dt)) : x;
        SDVariable cols = sd.cnn().im2Col(xp, Conv2DConfig.builder().kH(win.k[0]).kW(win.k[1]).sH(win.s[0])
                .sW(win.s[1]).pH(0).pW(0).dH(win.d[0]).dW(win.d[1]).paddingMode(PaddingMode.VALID).build());
        SDVariable mask = cols.eq(cols.max(true, 2, 3)).castTo(dt);
        SDVariable share = mask.div(mask.sum(true, 2, 3));
        SDVariable eCols = e.reshape(-1, outShape[1], 1, 1, outShape[2], outShape[3]);
        long hp = inShape[2] + pads[0] + pads[1];
        long wp = inShape[3] + pads[2] + pads[3];
        // libnd4j's col2im reads the image size from the kernel-size slots of its configuration
        SDVariable img = sd.cnn().col2Im(share.mul(eCols), Conv2DConfig.builder().kH(hp).kW(wp).sH(win.s[0])
                .sW(win.s[1]).pH(0).pW(0).dH(win.d[0]).dW(win.d[1]).paddingMode(PaddingMode.VALID).build());
        return padded ? sd.slice(img, new int[] {0, 0, pads[0], pads[2]}, -1, -1, (int) inShape[2],
                (int) inShape[3]) : img;
    }

    /** Max-pooling backward on DL4J's layers: the same arithmetic as the mirror's. */
    static INDArray pool(INDArray x, INDArray e, Window win) {
        long h = x.size(2);
        long w = x.size(3);
        int[] pads = win.pads(h, w);
        INDArray xp = Nd4j.valueArrayOf(new long[] {x.size(0), x.size(1), h + pads[0] + pads[1],
                w + pads[2] + pads[3]}, lowest(x.dataType()), x.dataType());
        xp.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(pads[0], pads[0] + h),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(pads[2], pads[2] + w)).assign(x);
        long oh = (xp.size(2) - ((long) (win.k[0] - 1) * win.d[0] + 1)) / win.s[0] + 1;
        long ow = (xp.size(3) - ((long) (win.k[1] - 1) * win.d[1] + 1)) / win.s[1] + 1;
        INDArray cols = Nd4j.create(xp.dataType(), xp.size(0), xp.size(1), win.k[0], win.k[1], oh, ow);
        Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(xp).addOutputs(cols).addIntegerArguments(win.k[0],
                win.k[1], win.s[0], win.s[1], 0, 0, win.d[0], win.d[1], 0).build());
        INDArray max = cols.max(true, 2, 3);
        INDArray mask = cols.eq(max).castTo(x.dataType());
        INDArray share = mask.divi(mask.sum(true, 2, 3));
        share.muli(e.reshape(e.size(0), e.size(1), 1, 1, e.size(2), e.size(3)));
        INDArray img = Nd4j.zeros(xp.dataType(), xp.shape());
        Convolution.col2im(share, img, win.s[0], win.s[1], 0, 0, (int) xp.size(2), (int) xp.size(3), win.d[0],
                win.d[1]);
        return img.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(pads[0], pads[0] + h),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(pads[2], pads[2] + w)).dup();
    }

    /** Global max pooling backward on the mirror: {@code e} has the pooled shape with the pooled dims kept. */
    public static SDVariable global(SDVariable x, SDVariable eKept, int[] dims, DataType dt) {
        SDVariable mask = x.eq(x.max(true, dims)).castTo(dt);
        return mask.div(mask.sum(true, dims)).mul(eKept);
    }

    /** Global max pooling backward on DL4J's layers. */
    static INDArray global(INDArray x, INDArray eKept, int[] dims) {
        INDArray mask = x.eq(x.max(true, dims)).castTo(x.dataType());
        return mask.divi(mask.sum(true, dims)).muli(eKept);
    }

    /** Element-wise max vertex backward on the mirror. */
    public static List<SDVariable> elementWise(List<SDVariable> ins, SDVariable max, SDVariable e, DataType dt) {
        List<SDVariable> masks = new ArrayList<>();
        SDVariable count = null;
        for (SDVariable in : ins) {
            SDVariable m = in.eq(max).castTo(dt);
            masks.add(m);
            count = count == null ? m : count.add(m);
        }
        SDVariable share = e.div(count);
        List<SDVariable> out = new ArrayList<>();
        for (SDVariable m : masks) {
            out.add(m.mul(share));
        }
        return out;
    }

    /** Element-wise max vertex backward on DL4J's layers. */
    static INDArray[] elementWise(INDArray[] ins, INDArray e) {
        INDArray max = ins[0].dup();
        for (int i = 1; i < ins.length; i++) {
            max = org.nd4j.linalg.ops.transforms.Transforms.max(max, ins[i], false);
        }
        INDArray[] masks = new INDArray[ins.length];
        INDArray count = Nd4j.zerosLike(e);
        for (int i = 0; i < ins.length; i++) {
            masks[i] = ins[i].eq(max).castTo(e.dataType());
            count.addi(masks[i]);
        }
        INDArray share = e.div(count);
        for (int i = 0; i < ins.length; i++) {
            masks[i].muli(share);
        }
        return masks;
    }
}
