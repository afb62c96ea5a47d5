package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.check.GradientCheck;
import org.deeplearning4j.interpret.check.GradientCheckResult;
import org.deeplearning4j.interpret.targets.Targets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op with a verified backward rule on SameDiff graphs ({@link SameDiffOpRules}) passes the finite-difference
 * check in double precision inside a small graph (input [N, 2, 6, 6] -> the op -> a dense read-out), every such op is
 * exercised here, and a graph with an op outside the list on the input's path is refused before any work, naming it.
 */
class SameDiffOpRulesTest {
    private static final Map<String, BiFunction<SameDiff, SDVariable, SDVariable>> GRAPHS = new LinkedHashMap<>();

    static {
        GRAPHS.put("conv2d", (s, x) -> s.cnn().conv2d(x, w(s, 3, 3, 2, 3), w(s, 3), Conv2DConfig.builder().kH(3)
                .kW(3).sH(1).sW(1).dH(1).dW(1).paddingMode(PaddingMode.SAME).dataFormat("NCHW")
                .weightsFormat(WeightsFormat.YXIO).build()));
        GRAPHS.put("conv2d NHWC", (s, x) -> s.permute(s.cnn().conv2d(s.permute(x, 0, 2, 3, 1), w(s, 3, 3, 2, 3),
                Conv2DConfig.builder().kH(3).kW(3).sH(2).sW(2).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                        .dataFormat("NHWC").weightsFormat(WeightsFormat.YXIO).build()), 0, 3, 1, 2));
        GRAPHS.put("deconv2d", (s, x) -> s.cnn().deconv2d(x, w(s, 2, 2, 3, 2), DeConv2DConfig.builder().kH(2).kW(2)
                .sH(2).sW(2).isSameMode(false).dataFormat("NCHW").build()));
        GRAPHS.put("pad, split, concat", (s, x) -> {
            SDVariable p = s.nn().pad(x, s.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1},
                {1, 1}})), 0.0);
            SDVariable[] parts = s.split(p, 2, 1);
            return s.concat(1, parts[1], parts[0].mul(2.0));
        });
        GRAPHS.put("transpose, identity, expand_dims, squeeze", (s, x) -> s.squeeze(s.expandDims(s.identity(
                s.transpose(s.transpose(x))), 1), 1));
        GRAPHS.put("flatten_2d", (s, x) -> new org.nd4j.linalg.api.ops.impl.shape.Flatten2D(s, x, 1)
                .outputVariable());
        GRAPHS.put("slice, strided_slice", (s, x) -> s.stridedSlice(s.slice(x, new int[] {0, 0, 1, 0}, -1, 2, 5, 6),
                new long[] {0, 0, 0, 1}, new long[] {0, 2, 5, 6}, new long[] {1, 1, 2, 2}, 1, 1, 0, 0, 0));
        GRAPHS.put("stack, unstack", (s, x) -> s.stack(1, s.unstack(x, 1, 2)));
        GRAPHS.put("batchnorm", (s, x) -> s.nn().batchNorm(x, w(s, 2), w(s, 2).add(1.5), w(s, 2), w(s, 2), 1e-5, 1));
        GRAPHS.put("matmul, xw_plus_b", (s, x) -> s.nn().linear(s.mmul(s.reshape(x, -1, 72), w(s, 5, 72), false,
                true, false), w(s, 5, 4), w(s, 4)));
        GRAPHS.put("add, subtract, multiply, divide, neg, biasadd", (s, x) -> s.nn().biasAdd(x.add(w(s, 2, 1, 1)).sub(x.mul(x))
                .div(w(s, 1, 6, 6).add(3.0)).neg().mul(w(s, 2, 6, 6)), w(s, 2), true));
        GRAPHS.put("maxpool2d, avgpool2d", (s, x) -> s.cnn().avgPooling2d(s.cnn().maxPooling2d(x, Pooling2DConfig
                .builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build()), Pooling2DConfig.builder().kH(2).kW(2)
                .sH(1).sW(1).isNHWC(false).build()));
        GRAPHS.put("reduce_mean, reduce_sum, reduce_max, maximum", (s, x) -> s.math().max(x.mean(true, 2),
                x.sum(true, 2).mul(0.3)).add(x.max(true, 2)));
        GRAPHS.put("relu, relu6, leakyrelu, elu", (s, x) -> s.nn().elu(s.nn().leakyRelu(s.nn().relu6(s.nn().relu(
                x.sub(0.3), 0.0).mul(8.0), 0.0).sub(2.0), 0.1)));
        GRAPHS.put("selu, sigmoid, tanh, softplus, softsign", (s, x) -> s.nn().softsign(s.nn().softplus(s.nn().tanh(
                s.nn().sigmoid(s.nn().selu(x.sub(0.5)))))));
        GRAPHS.put("gelu, swish, hard_sigmoid, hardtanh", (s, x) -> s.nn().hardTanh(s.nn().hardSigmoid(s.nn().swish(
                s.nn().gelu(x.sub(0.5))).mul(3.0)).mul(2.0).sub(0.7)));
        GRAPHS.put("softmax", (s, x) -> s.nn().softmax(s.reshape(x, -1, 72), 1));
        GRAPHS.put("add_scalar, sub_scalar, rsub_scalar, mul_scalar, div_scalar", (s, x) -> x.add(0.5).sub(0.2)
                .rsub(1.0).mul(3.0).div(2.0));
    }

    private static SDVariable w(SameDiff s, long... shape) {
        return s.constant(Nd4j.rand(DataType.DOUBLE, shape).subi(0.3));
    }

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static SameDiff graph(BiFunction<SameDiff, SDVariable, SDVariable> body) {
        Nd4j.getRandom().setSeed(3);
        SameDiff s = SameDiff.create();
        SDVariable x = s.placeHolder("input", DataType.DOUBLE, -1, 2, 6, 6);
        SDVariable h = body.apply(s, x);
        long size = s.output(Map.of("input", Nd4j.rand(DataType.DOUBLE, 1, 2, 6, 6)), h.name()).get(h.name())
                .length();
        s.nn().linear("logits", s.reshape(h, -1, size), w(s, size, 3), w(s, 3));
        return s;
    }

    static Stream<String> graphs() {
        return GRAPHS.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void eachVerifiedOpPassesTheFiniteDifferenceCheck(String name) {
        InterpretableModel m = Models.builder(graph(GRAPHS.get(name)), "input", "logits")
                .inputSpec(InputSpec.builder().shape(2, 6, 6).build()).build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6);
        GradientCheckResult r = GradientCheck.builder(m).points(24).build().run(x, Targets.logit(1));
        assertTrue(r.passed(), name + ": " + r);
    }

    @Test
    void everyVerifiedOpIsExercisedHere() {
        Set<String> seen = new TreeSet<>();
        for (BiFunction<SameDiff, SDVariable, SDVariable> g : GRAPHS.values()) {
            for (SameDiffOp op : graph(g).getOps().values()) {
                seen.add(op.getOp().opName());
            }
        }
        Set<String> missing = new TreeSet<>(SameDiffOpRules.verified());
        missing.removeAll(seen);
        assertEquals(Set.of(), missing, "verified ops without a finite-difference test");
    }

    @Test
    void theReadmeListsEveryVerifiedOp() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        for (String op : SameDiffOpRules.verified()) {
            assertTrue(readme.contains("`" + op + "`"), "README's SameDiff op list lacks " + op);
        }
    }

    @Test
    void anOpWithoutAVerifiedRuleOnTheInputsPathIsRefusedNamingIt() {
        SameDiff s = graph((sd, x) -> sd.math().cos(x));
        InterpretableModel m = Models.builder(s, "input", "logits").inputSpec(InputSpec.builder().shape(2, 6, 6)
                .build()).build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6);
        InterpretException e = assertThrows(InterpretException.class, () -> Saliency.of(m).attribute(x,
                Targets.logit(0)));
        assertTrue(e.getMessage().contains("cos"), e.getMessage());
        // a failed call caches nothing: the next call is refused the same way, never answered with zeros
        InterpretException again = assertThrows(InterpretException.class, () -> Saliency.of(m).attribute(x,
                Targets.logit(0)));
        assertEquals(e.getMessage(), again.getMessage());
        // methods that need no gradient still work
        assertEquals(2, m.logits(x).size(0));
    }
}
