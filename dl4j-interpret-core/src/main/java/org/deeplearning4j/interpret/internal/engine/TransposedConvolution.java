package org.deeplearning4j.interpret.internal.engine;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import java.util.Arrays;
import java.util.List;

/**
 * libnd4j's {@code deconv2d} (NCHW, no padding, no dilation) reading the weights in DL4J's own {@code [oC, iC, kH, kW]}
 * layout, so a convolution's input gradient needs no per-call permute of its weights. M2.1's Java
 * {@code DeConv2DConfig} cannot pass the op's weight-format argument (index 10; format 1 reads {@code [iC, oC, kH, kW]}
 * of the transposed convolution, which is the forward convolution's {@code [oC, iC, kH, kW]}); this op passes it.
 * {@code LayerCatalogueTest} checks every convolution geometry against finite differences through it.
 */
final class TransposedConvolution extends DynamicCustomOp {
    private static final long NCHW = 0;
    private static final long OIYX_OF_THE_FORWARD_CONVOLUTION = 1;

    private TransposedConvolution(SameDiff sd, SDVariable gradient, SDVariable weights, int[] kernel, int[] stride) {
        super("deconv2d", sd, new SDVariable[] {gradient, weights});
        addIArgument(arguments(kernel, stride));
    }

    private static long[] arguments(int[] kernel, int[] stride) {
        return new long[] {kernel[0], kernel[1], stride[0], stride[1], 0, 0, 1, 1, 0, NCHW,
                OIYX_OF_THE_FORWARD_CONVOLUTION};
    }

    /**
     * @param gradient gradient w.r.t. the convolution's output, NCHW
     * @param weights the forward convolution's weights, {@code [oC, iC, kH, kW]}
     * @param out receives the gradient w.r.t. the (padded) convolution input
     * @param kernel kernel height and width
     * @param stride stride height and width
     * @return the eager op, for {@code Nd4j.exec}
     */
    static DynamicCustomOp eager(INDArray gradient, INDArray weights, INDArray out, int[] kernel, int[] stride) {
        return DynamicCustomOp.builder("deconv2d").addInputs(gradient, weights).addOutputs(out)
                .addIntegerArguments(Arrays.stream(arguments(kernel, stride)).mapToInt(v -> (int) v).toArray())
                .build();
    }

    /**
     * @param sd the graph
     * @param gradient gradient w.r.t. the convolution's output, NCHW
     * @param weights the forward convolution's weights, {@code [oC, iC, kH, kW]}
     * @param kernel kernel height and width
     * @param stride stride height and width
     * @return the gradient w.r.t. the (padded) convolution input
     */
    static SDVariable of(SameDiff sd, SDVariable gradient, SDVariable weights, int[] kernel, int[] stride) {
        return new TransposedConvolution(sd, gradient, weights, kernel, stride).outputVariables()[0];
    }

    /** A constant: the superclass constructor asks for the name before this class's fields exist. */
    @Override
    public String opName() {
        return "deconv2d";
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> in) {
        return List.of(in.get(0));
    }
}
