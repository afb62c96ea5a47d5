package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference checks (double precision) of the whole feature-visualization chain: parameters, colour squash,
 * transforms, the model's preprocessing, the network on both execution paths, and every objective and penalty.
 */
class FeatureVisGradientTest {
    private static final double FD_EPS = 1e-6;
    /** The chain has five stages and values up to ~1e3: central differences carry ~1e-7 absolute rounding noise. */
    private static final double MAX_REL_ERROR = 1e-4;
    /** Entries far below the gradient's scale are compared in absolute terms, relative to its largest entry. */
    private static final double ABS_ERROR_OF_MAX = 1e-6;
    private static final int CHECKED_ENTRIES = 20;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @BeforeEach
    void seed() {
        Nd4j.getRandom().setSeed(20261125L);
    }

    /** VGG-style preprocessing so that the pixel range, BGR order and means are part of the checked chain. */
    static InputSpec caffeSpec(long c, long hw) {
        return InputSpec.builder().shape(c, hw, hw).pixelRange(0, 255).channelMeans(103.9, 116.8, 123.7)
                .channelOrder(InputSpec.ChannelOrder.BGR).build();
    }

    static InterpretableModel vgg(ExecutionPath p) {
        return Models.builder(TestNets.vggLike(DataType.DOUBLE, 11)).inputSpec(caffeSpec(3, 12)).executionPath(p)
                .build();
    }

    static InterpretableModel resnet(ExecutionPath p) {
        ComputationGraph g = TestNets.resnetLike(DataType.DOUBLE, 12);
        return Models.builder(g).inputSpec(InputSpec.builder().shape(3, 10, 10).build()).executionPath(p).build();
    }

    static Stream<Arguments> objectives() {
        double[] v4 = {0.5, -0.1, 0.3, 0.2};
        return Stream.of(ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS).flatMap(p -> Stream.of(
                Arguments.of("vgg", p, Objectives.channel("layer1", 3), 2),
                Arguments.of("vgg", p, Objectives.neuron("layer3", 4, 2, 1), 1),
                Arguments.of("vgg", p, Objectives.deepDream("layer1"), 2),
                Arguments.of("vgg", p, Objectives.classLogit(2).minus(Objectives.l2().times(3)), 2),
                Arguments.of("vgg", p, Objectives.classProbability(1).plus(Objectives.channel("layer3", 0)), 2),
                Arguments.of("vgg", p, Objectives.direction("layer3", new double[] {0.1, 0.2, -0.3, 0.4, 0.5, 0.6}),
                        1),
                Arguments.of("resnet", p, Objectives.direction("add_relu", v4, 1.0), 2),
                Arguments.of("resnet", p, Objectives.directionAt("merge", new double[] {.2, .1, .4, .3, .5, .6}, 3,
                        4, 2.0), 2),
                Arguments.of("resnet", p, Objectives.channel("stem_relu", 1).minus(
                        Objectives.diversity("add_relu").times(2)), 3),
                Arguments.of("resnet", p, Objectives.deepDream("fc").minus(Objectives.l1().times(2))
                        .minus(Objectives.totalVariation().times(3)).minus(Objectives.blur().times(5)), 2),
                Arguments.of("resnet", p, Objectives.channels("side", 0, 1).plus(Objectives.classLogit(3)), 2),
                Arguments.of("resnet", p, Objectives.diversity("fc").negate()
                        .plus(Objectives.direction("fc", new double[] {1, 2, 3, 4, 5, 6, 7}, 1)), 3)));
    }

    @ParameterizedTest(name = "{0} {1} {2} batch {3}")
    @MethodSource("objectives")
    void parameterGradientMatchesFiniteDifferencesThroughTheWholeChain(String net, ExecutionPath path, Objective o,
            int batch) {
        InterpretableModel model = net.equals("vgg") ? vgg(path) : resnet(path);
        long hw = model.inputSpec().height();
        for (Parameterization param : List.of(Parameterizations.fourier(), Parameterizations.pixel(true))) {
            Set<String> layers = new LinkedHashSet<>();
            o.collectLayers(model, layers);
            List<String> names = new ArrayList<>(layers);
            INDArray params = param.init(batch, 3, hw, hw, 5, DataType.DOUBLE).muli(50);
            Random rng = new Random(9);
            Warp[] warps = new Warp[batch];
            Transform t = Transforms.compose(Transforms.randomRotate(7), Transforms.randomScale(1.07),
                    Transforms.jitter(1));
            for (int i = 0; i < batch; i++) {
                warps[i] = t.draw(rng, hw, hw);
            }
            Sampler sampler = new Sampler(warps, hw, hw);
            INDArray analytic = FeatureVisualization.valueAndGradient(model, o, names, param, params, sampler)[1];
            Random pick = new Random(42);
            StringBuilder failures = new StringBuilder();
            double scale = analytic.amaxNumber().doubleValue();
            assertTrue(scale > 0, "the gradient is identically zero for " + o.description());
            for (int k = 0; k < CHECKED_ENTRIES; k++) {
                long i = pick.nextInt((int) params.length());
                double orig = params.getDouble(i);
                params.putScalar(i, orig + FD_EPS);
                double plus = FeatureVisualization.valueAndGradient(model, o, names, param, params, sampler)[0]
                        .sumNumber().doubleValue();
                params.putScalar(i, orig - FD_EPS);
                double minus = FeatureVisualization.valueAndGradient(model, o, names, param, params, sampler)[0]
                        .sumNumber().doubleValue();
                params.putScalar(i, orig);
                double fd = (plus - minus) / (2 * FD_EPS);
                double an = analytic.getDouble(i);
                double abs = Math.abs(fd - an);
                if (abs > ABS_ERROR_OF_MAX * scale && abs / Math.max(Math.abs(fd), Math.abs(an)) > MAX_REL_ERROR) {
                    failures.append(String.format("%s entry %d: analytic %.10g fd %.10g%n", param, i, an, fd));
                }
            }
            assertEquals("", failures.toString(), o.description());
        }
    }

    @Test
    void samplerAdjointIsTheTransposeOfResampling() {
        Random rng = new Random(1);
        Warp[] warps = {Transforms.standard(16).draw(rng, 16, 16), Transforms.standard(16).draw(rng, 16, 16)};
        Sampler s = new Sampler(warps, 16, 16);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 3, 16, 16);
        // fill values are constant: <A x - A 0, y> = <x, A^T y>
        INDArray ax = s.apply(x).subi(s.apply(Nd4j.zerosLike(x)));
        double lhs = ax.mul(y).sumNumber().doubleValue();
        double rhs = x.mul(s.adjoint(y)).sumNumber().doubleValue();
        assertEquals(lhs, rhs, 1e-9 * Math.abs(lhs));
    }
}
