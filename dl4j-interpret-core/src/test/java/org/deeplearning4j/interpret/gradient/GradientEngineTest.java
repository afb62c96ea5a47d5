package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.interpret.internal.engine.InputPass;
import org.deeplearning4j.interpret.internal.engine.Seed;
import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference checks (double precision) of input gradients on both execution paths. */
class GradientEngineTest {

    /** Every test starts from the same ND4J random state, so random inputs are reproducible. */
    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(20261125L);
    }
    private static final double FD_EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-5;
    private static final double MIN_ABS_ERROR = 1e-9;
    private static final int CHECKED_ENTRIES = 25;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static InterpretableModel vgg(ExecutionPath path) {
        return Models.builder(TestNets.vggLike(DataType.DOUBLE, 11)).executionPath(path).build();
    }

    static InterpretableModel resnet(ExecutionPath path) {
        return Models.builder(TestNets.resnetLike(DataType.DOUBLE, 12)).executionPath(path).build();
    }

    static Stream<Arguments> cases() {
        return Stream.of(ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS).flatMap(p -> Stream.of(
                Arguments.of("vgg", p, Targets.logit(1), 1),
                Arguments.of("vgg", p, Targets.logits(new int[] {0, 2, 1}), 3),
                Arguments.of("vgg", p, Targets.predictedProbability(), 2),
                Arguments.of("vgg", p, Targets.channel("layer3", 2), 2),
                Arguments.of("vgg", p, Targets.neuron("layer1", 3, 4, 5), 1),
                Arguments.of("resnet", p, Targets.logit(2), 1),
                Arguments.of("resnet", p, Targets.probabilities(new int[] {3, 0}), 2),
                Arguments.of("resnet", p, Targets.channel("add", 1), 3),
                Arguments.of("resnet", p, Targets.channel("merge", 5), 2),
                Arguments.of("resnet", p, Targets.channel("fc", 4), 2)));
    }

    @ParameterizedTest(name = "{0} {1} {2} batch {3}")
    @MethodSource("cases")
    void inputGradientMatchesFiniteDifferences(String net, ExecutionPath path, Target target, int batch) {
        InterpretableModel model = net.equals("vgg") ? vgg(path) : resnet(path);
        assertEquals(path, model.executionPath());
        long hw = net.equals("vgg") ? 12 : 10;
        INDArray x = Nd4j.rand(DataType.DOUBLE, batch, 3, hw, hw).subi(0.5).muli(2);
        INDArray analytic = model.gradient(x, target).gradient();
        assertFiniteDifferences(model, x, target, analytic);
    }

    static void assertFiniteDifferences(InterpretableModel model, INDArray x, Target target, INDArray analytic) {
        Random rng = new Random(42);
        int failures = 0;
        StringBuilder msg = new StringBuilder();
        for (int k = 0; k < CHECKED_ENTRIES; k++) {
            long i = rng.nextInt((int) x.length());
            double orig = x.getDouble(i);
            x.putScalar(i, orig + FD_EPS);
            INDArray plus = model.values(x, target);
            x.putScalar(i, orig - FD_EPS);
            INDArray minus = model.values(x, target);
            x.putScalar(i, orig);
            double fd = plus.sub(minus).sumNumber().doubleValue() / (2 * FD_EPS);
            double an = analytic.getDouble(i);
            double abs = Math.abs(fd - an);
            double rel = abs / Math.max(Math.abs(fd), Math.abs(an));
            if (abs > MIN_ABS_ERROR && rel > MAX_REL_ERROR) {
                failures++;
                msg.append(String.format("entry %d: analytic %.10g fd %.10g rel %.3g%n", i, an, fd, rel));
            }
        }
        assertEquals(0, failures, msg.toString());
    }

    static Stream<Arguments> layerCases() {
        return Stream.of(ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS).flatMap(p -> Stream.of(
                Arguments.of("vgg", p, Targets.logit(1), "layer1"),
                Arguments.of("vgg", p, Targets.probability(2), "layer5"),
                Arguments.of("resnet", p, Targets.logit(2), "add"),
                Arguments.of("resnet", p, Targets.channel("fc", 3), "stem_relu"),
                Arguments.of("resnet", p, Targets.logit(0), "merge")));
    }

    /** Gradient with respect to a hidden activation, checked by perturbing that activation through the override. */
    @ParameterizedTest(name = "{0} {1} {2} wrt {3}")
    @MethodSource("layerCases")
    void layerGradientMatchesFiniteDifferencesOfTheOverriddenActivation(String net, ExecutionPath path,
            Target target, String layer) {
        InterpretableModel model = net.equals("vgg") ? vgg(path) : resnet(path);
        long hw = net.equals("vgg") ? 12 : 10;
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, hw, hw);
        org.deeplearning4j.interpret.model.LayerGradient lg = model.layerGradient(x, target, layer);
        INDArray a = lg.activation().dup();
        // the override reproduces the plain forward pass
        assertTrue(model.spi().values(x, target, layer, a).equalsWithEps(model.values(x, target), 1e-12));
        // jitter the activation so that ReLU zeros do not create max-pooling ties (where the derivative is one-sided)
        INDArray base = a.add(Nd4j.rand(DataType.DOUBLE, a.shape()).muli(0.05));
        INDArray analytic = model.spi().layerGradient(x, target, layer, base, ReluRule.NORMAL).gradient();
        Random rng = new Random(3);
        for (int k = 0; k < CHECKED_ENTRIES; k++) {
            long i = rng.nextInt((int) base.length());
            double orig = base.getDouble(i);
            base.putScalar(i, orig + FD_EPS);
            double plus = model.spi().values(x, target, layer, base).sumNumber().doubleValue();
            base.putScalar(i, orig - FD_EPS);
            double minus = model.spi().values(x, target, layer, base).sumNumber().doubleValue();
            base.putScalar(i, orig);
            double fd = (plus - minus) / (2 * FD_EPS);
            double an = analytic.getDouble(i);
            double abs = Math.abs(fd - an);
            assertTrue(abs < MIN_ABS_ERROR || abs / Math.max(Math.abs(fd), Math.abs(an)) < MAX_REL_ERROR,
                    "entry " + i + ": analytic " + an + " fd " + fd);
        }
    }

    /**
     * The seeds of sum over two layers of (mean of A^2) + 3 * A[.., 0, ...]: {@code 2A/n + 3 e_0}, once affine
     * (completed inside the pass) and once as constants computed from the activations.
     */
    @Test
    void affineSeedsComputedInsideThePassEqualTheTwoPassGradientOnBothPaths() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, 10, 10);
        List<String> layers = List.of("stem_relu", "merge");
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            InterpretableModel m = resnet(p);
            Map<String, INDArray> acts = m.activations(x, layers.toArray(new String[0]));
            List<Seed> affine = new java.util.ArrayList<>();
            List<Seed> constant = new java.util.ArrayList<>();
            for (String l : layers) {
                INDArray a = acts.get(l);
                double scale = 2.0 / (a.length() / a.size(0));
                INDArray offset = Nd4j.zerosLike(a);
                offset.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                        .addi(3);
                affine.add(new Seed(l, offset, scale));
                constant.add(Seed.constant(l, a.mul(scale).addi(offset)));
            }
            InputPass one = m.spi().backward(x, affine, ReluRule.NORMAL);
            InputPass two = m.spi().backward(x, constant, ReluRule.NORMAL);
            assertTrue(one.gradient().equalsWithEps(two.gradient(), 1e-10), p + " gradients differ");
            for (String l : layers) {
                assertTrue(one.activations().get(l).equalsWithEps(acts.get(l), 1e-12), p + " activation of " + l);
            }
            assertTrue(one.gradient().amaxNumber().doubleValue() > 0);
            IllegalArgumentException twice = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> m.spi().backward(x, List.of(constant.get(0),
                            constant.get(0)), ReluRule.NORMAL));
            assertTrue(twice.getMessage().contains("stem_relu"), twice.getMessage());
            IllegalArgumentException shape = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> m.spi().backward(x, List.of(Seed.constant("merge",
                            Nd4j.zeros(DataType.DOUBLE, 3, 1))), ReluRule.NORMAL));
            assertTrue(shape.getMessage().contains("merge") && shape.getMessage().contains("[3, 1]"),
                    shape.getMessage());
        }
    }

    @Test
    void fastPathAndFallbackAgreeOnGradientsAndActivations() {
        MultiLayerNetwork net = TestNets.vggLike(DataType.DOUBLE, 3);
        ComputationGraph g = TestNets.resnetLike(DataType.DOUBLE, 4);
        for (Object n : List.of(net, g)) {
            InterpretableModel fast = n instanceof MultiLayerNetwork
                    ? Models.builder((MultiLayerNetwork) n).executionPath(ExecutionPath.SAMEDIFF).build()
                    : Models.builder((ComputationGraph) n).executionPath(ExecutionPath.SAMEDIFF).build();
            InterpretableModel slow = n instanceof MultiLayerNetwork
                    ? Models.builder((MultiLayerNetwork) n).executionPath(ExecutionPath.DL4J_LAYERS).build()
                    : Models.builder((ComputationGraph) n).executionPath(ExecutionPath.DL4J_LAYERS).build();
            long hw = n instanceof MultiLayerNetwork ? 12 : 10;
            INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, hw, hw);
            for (ReluRule rule : ReluRule.values()) {
                INDArray a = fast.gradient(x, Targets.predicted(), rule).gradient();
                INDArray b = slow.gradient(x, Targets.predicted(), rule).gradient();
                assertTrue(a.equalsWithEps(b, 1e-10), rule + " gradients differ between paths on " + n.getClass());
            }
            String[] names = fast.layers().stream().map(l -> l.name()).toArray(String[]::new);
            Map<String, INDArray> fa = fast.activations(x, names);
            Map<String, INDArray> sa = slow.activations(x, names);
            for (String name : names) {
                assertTrue(fa.get(name).equalsWithEps(sa.get(name), 1e-10), "activation of " + name + " differs");
            }
        }
    }

    @Test
    void outputMatchesDl4jsOwnInference() {
        MultiLayerNetwork net = TestNets.vggLike(DataType.DOUBLE, 5);
        ComputationGraph g = TestNets.resnetLike(DataType.DOUBLE, 6);
        INDArray xv = Nd4j.rand(DataType.DOUBLE, 4, 3, 12, 12);
        INDArray xr = Nd4j.rand(DataType.DOUBLE, 4, 3, 10, 10);
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            INDArray pv = org.nd4j.linalg.ops.transforms.Transforms.softmax(
                    Models.builder(net).executionPath(p).build().logits(xv), true);
            assertTrue(pv.equalsWithEps(net.output(xv, false), 1e-10), "MLN softmax(logits) != net.output on " + p);
            INDArray pr = org.nd4j.linalg.ops.transforms.Transforms.softmax(
                    Models.builder(g).executionPath(p).build().logits(xr), true);
            assertTrue(pr.equalsWithEps(g.outputSingle(false, xr), 1e-10), "CG softmax(logits) != output on " + p);
        }
    }

    @Test
    void dilatedConvolutionsRunOnTheDl4jLayerPathAndMatchFiniteDifferences() {
        InterpretableModel m = Models.of(TestNets.dilated(DataType.DOUBLE, 8));
        assertEquals(ExecutionPath.DL4J_LAYERS, m.executionPath());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 8, 8);
        assertFiniteDifferences(m, x, Targets.logit(2), m.gradient(x, Targets.logit(2)).gradient());
    }

    @Test
    void unsupportedLayersFallBackToDl4jLayersAndStillMatchFiniteDifferences() {
        InterpretableModel m = Models.of(TestNets.withUnsupportedLayer(DataType.DOUBLE, 7));
        assertEquals(ExecutionPath.DL4J_LAYERS, m.executionPath());
        assertTrue(m.spi().fallbackLayers().toString().contains("LocalResponseNormalization"), m.spi().fallbackLayers()::toString);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 8, 8);
        assertFiniteDifferences(m, x, Targets.logit(1), m.gradient(x, Targets.logit(1)).gradient());
    }
}
