package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Convolutions. Fast path (plain 2-D convolutions, {@link ConvOps#uncovered}): libnd4j's conv2d reading DL4J's
 * {@code [oC, iC, kH, kW]} weights as they are and the bias as a view; backward: a transposed convolution without
 * padding, then the padding cropped. LRP and DeepLIFT: the rules of layers with weights, except for separable
 * convolutions. A window of the input per output unit; transposed convolutions resample.
 */
final class ConvolutionRules extends LinearLayerRules<ConvolutionLayer> {
    /** {@code ConvolutionLayer} and {@code Convolution2D}: every engine. */
    static final ConvolutionRules STANDARD = new ConvolutionRules(true, true, false);
    /** Depthwise convolutions: DL4J's own layers. */
    static final ConvolutionRules DEPTHWISE = new ConvolutionRules(false, true, false);
    /** Separable convolutions: DL4J's own layers, no relevance rules. */
    static final ConvolutionRules SEPARABLE = new ConvolutionRules(false, false, false);
    /** Transposed convolutions: DL4J's own layers; no affine position map. */
    static final ConvolutionRules TRANSPOSED = new ConvolutionRules(false, true, true);

    private final boolean mirrored;
    private final boolean walked;
    private final boolean resamples;

    private ConvolutionRules(boolean mirrored, boolean walked, boolean resamples) {
        this.mirrored = mirrored;
        this.walked = walked;
        this.resamples = resamples;
    }

    @Override
    public boolean mirrored() {
        return mirrored;
    }

    @Override
    public CNN2DFormat format(ConvolutionLayer c) {
        return c.getCnn2dDataFormat();
    }

    @Override
    boolean convolutional() {
        return true;
    }

    @Override
    boolean parameterLinear() {
        return walked;
    }

    @Override
    String walkRefusal(ConvolutionLayer c) {
        return walked ? null : c.getClass().getSimpleName();
    }

    @Override
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, ConvolutionLayer c, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        String why = ConvOps.uncovered(c);
        if (why != null) {
            return cx.unsupported(name, why);
        }
        PaddingMode mode = ConvOps.paddingMode(c.getConvolutionMode());
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        IActivation act = c.getActivationFn();
        if (!ActivationRules.mirrorSupports(act)) {
            return cx.unsupported(name, "activation " + act);
        }
        SameDiff sd = cx.sd();
        boolean same = mode == PaddingMode.SAME;
        Conv2DConfig cfg = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1])
                .dH(1).dW(1).paddingMode(mode).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
        // per-call permutes of every weight array took a third of ResNet50's forward pass: none here
        SDVariable w = cx.param(name, rt, "W");
        SDVariable z = c.hasBias() ? sd.cnn().conv2d(x, w, cx.vector(name, rt, "b"), cfg)
                : sd.cnn().conv2d(x, w, cfg);
        SDVariable y = ActivationRules.forward(sd, act, z, 4);
        DataType dt = cx.dt();
        return new SameDiffMirror.Piece(y, (e, r, shapes) -> {
            SDVariable ez = ActivationRules.backward(sd, act, z, y, e, r, dt, 4);
            long[] in = shapes.get(x.name());
            long[] out = shapes.get(z.name());
            SDVariable full = TransposedConvolution.of(sd, ez, w, k, s);
            int[][] crop = ConvOps.crop(new long[] {in[2], in[3]}, new long[] {out[2], out[3]}, k, s, p, same);
            int[] top = crop[0];
            int[] extra = crop[1];
            if (extra[0] > 0 || extra[1] > 0) {
                INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, extra[0]}, {0, extra[1]}});
                full = sd.nn().pad(full, sd.constant(pads), 0.0);
            }
            return List.of(sd.slice(full, new int[] {0, 0, top[0], top[1]}, -1, -1, (int) in[2], (int) in[3]));
        }, x, z);
    }

    @Override
    public Footprint footprint(ConvolutionLayer c) {
        return resamples ? Footprint.RESAMPLED : Footprint.window(c.getKernelSize(), c.getStride(), c.getPadding(),
                c.getDilation(), c.getConvolutionMode());
    }

    @Override
    public double flops(ConvolutionLayer c, long[] in, long[] out) {
        if (in != null && in.length == 3) {
            int[] k = c.getKernelSize();
            return elements(out) * in[0] * k[0] * k[1];
        }
        return Math.max(elements(out), (double) c.getNIn() * c.getNOut());
    }
}
