package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.interpret.internal.engine.ActivationRules;
import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry of the verified layer catalogue: its input gradient equals central finite differences in double
 * precision on every engine that claims it, the ReLU rules follow their documented formula per activation, the
 * table says truly which engine runs what, and anything outside it is refused up front.
 */
class LayerCatalogueTest {
    private static final double H_FD = 1e-6;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<CatalogueNets.Net> nets() {
        return CatalogueNets.all().values().stream();
    }

    private static InterpretableModel wrap(ComputationGraph g, ExecutionPath p) {
        return Models.builder(g).inputSpec(InputSpec.builder().shape(CatalogueNets.C, CatalogueNets.H,
                CatalogueNets.H).build()).executionPath(p).maxBatchSize(512).build();
    }

    private static INDArray input(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, 2, CatalogueNets.C, CatalogueNets.H, CatalogueNets.H).subi(0.5).muli(2);
    }

    /** Central differences of logit {@code k} of every example, one batch of perturbed copies per example. */
    static INDArray finiteDifferences(InterpretableModel m, INDArray x, int[] classes) {
        INDArray fd = Nd4j.zerosLike(x);
        long p = x.length() / x.size(0);
        for (int e = 0; e < x.size(0); e++) {
            INDArray one = x.get(NDArrayIndex.interval(e, e + 1)).dup().reshape(1, p);
            INDArray batch = Nd4j.repeat(one, (int) (2 * p)).reshape(2 * p, p);
            for (int i = 0; i < p; i++) {
                batch.putScalar(2L * i, i, one.getDouble(i) + H_FD);
                batch.putScalar(2L * i + 1, i, one.getDouble(i) - H_FD);
            }
            int[] cls = new int[(int) (2 * p)];
            java.util.Arrays.fill(cls, classes[e]);
            INDArray v = m.values(batch.reshape(2 * p, x.size(1), x.size(2), x.size(3)), Targets.logits(cls));
            for (int i = 0; i < p; i++) {
                fd.get(NDArrayIndex.point(e)).reshape(p).putScalar(i,
                        (v.getDouble(2L * i) - v.getDouble(2L * i + 1)) / (2 * H_FD));
            }
        }
        return fd;
    }

    static void matches(INDArray analytic, INDArray fd, String what) {
        double scale = Math.max(fd.amaxNumber().doubleValue(), 1e-6);
        double err = analytic.sub(fd).amaxNumber().doubleValue();
        assertTrue(err <= 1e-5 * scale + 1e-9, what + ": max error " + err + " (scale " + scale + ")");
        assertTrue(fd.amaxNumber().doubleValue() > 0, what + ": the check is vacuous (zero gradient)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nets")
    void inputGradientMatchesFiniteDifferencesOnEveryEngineThatRunsIt(CatalogueNets.Net net) {
        ComputationGraph g = net.build.get();
        InterpretableModel auto = wrap(g, ExecutionPath.AUTO);
        List<ExecutionPath> engines = auto.executionPath() == ExecutionPath.SAMEDIFF
                ? List.of(ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS) : List.of(ExecutionPath.DL4J_LAYERS);
        LayerCatalogue.Status status = LayerCatalogue.entries().stream().filter(e -> e.type() == net.type)
                .findFirst().orElseThrow().status();
        if (status == LayerCatalogue.Status.DL4J_LAYERS) {
            assertEquals(ExecutionPath.DL4J_LAYERS, auto.executionPath(), net + " is listed as DL4J-layers only");
        }
        INDArray x = input(net.name.hashCode());
        int[] classes = {0, 2};
        INDArray probabilities = g.outputSingle(false, x.dup());
        for (ExecutionPath p : engines) {
            InterpretableModel m = wrap(g, p);
            // the engine computes the network's own function: softmax of its logits is DL4J's output
            INDArray softmax = org.nd4j.linalg.ops.transforms.Transforms.softmax(m.logits(x), true);
            assertTrue(softmax.equalsWithEps(probabilities, 1e-10), net + " on " + p + ": forward pass differs from "
                    + "DL4J's output()");
            INDArray analytic = m.gradient(x, Targets.logits(classes)).gradient();
            matches(analytic, finiteDifferences(m, x, classes), net + " on " + p);
        }
        if (engines.size() == 2) {
            for (ReluRule rule : new ReluRule[] {ReluRule.GUIDED, ReluRule.DECONVNET}) {
                INDArray a = wrap(g, ExecutionPath.SAMEDIFF).gradient(x, Targets.logits(classes), rule).gradient();
                INDArray b = wrap(g, ExecutionPath.DL4J_LAYERS).gradient(x, Targets.logits(classes), rule)
                        .gradient();
                assertTrue(a.equalsWithEps(b, 1e-9 * Math.max(1, b.amaxNumber().doubleValue())),
                        net + ": engines disagree under " + rule);
            }
        }
    }

    @Test
    void everyAcceptedTypeHasATestNetworkAndEveryFastPathEntryRunsOnTheFastPath() {
        Set<Class<?>> tested = nets().map(n -> n.type).collect(Collectors.toSet());
        Set<Class<?>> fast = new HashSet<>();
        nets().forEach(n -> {
            if (wrap(n.build.get(), ExecutionPath.AUTO).executionPath() == ExecutionPath.SAMEDIFF) {
                fast.add(n.type);
            }
        });
        for (LayerCatalogue.Entry e : LayerCatalogue.entries()) {
            if (e.status() != LayerCatalogue.Status.REFUSED) {
                assertTrue(tested.contains(e.type()), e + " has no gradient-checked network");
            }
            if (e.status() == LayerCatalogue.Status.FAST_PATH) {
                assertTrue(fast.contains(e.type()), e + " never ran on the fast path");
            }
        }
    }

    /** input -> activation layer -> flatten -> output: d logit / d x = f'(x) * w, with the rule applied to w. */
    @Test
    void reluRulesFollowTheDocumentedFormulaForEveryActivation() {
        for (Activation act : LayerCatalogue.activations()) {
            if (act == Activation.SOFTMAX) {
                continue; // not element-wise; checked by finite differences above
            }
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                    .dataType(DataType.DOUBLE).list()
                    .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer(act))
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(3, 3, 2)).build());
            net.init();
            INDArray x = input(act.ordinal()).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3),
                    NDArrayIndex.interval(0, 3)).dup().muli(2);
            INDArray w = net.getLayer(1).getParam("W").getColumn(1).dup().reshape(1, 2, 3, 3);
            INDArray slope = activationSlope(act, x);
            boolean rectifier = ActivationRules.isRectifier(act.getActivationFunction());
            for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.AUTO, ExecutionPath.DL4J_LAYERS}) {
                InterpretableModel m = Models.builder(net).inputSpec(InputSpec.builder().shape(2, 3, 3).build())
                        .executionPath(p).build();
                INDArray wPos = org.nd4j.linalg.ops.transforms.Transforms.relu(w, true);
                INDArray normal = slope.mul(w);
                INDArray guided = rectifier ? slope.mul(wPos) : normal;
                INDArray deconv = rectifier ? wPos.broadcast(x.shape()) : normal;
                String what = act + " on " + m.executionPath();
                assertTrue(m.gradient(x, Targets.logit(1)).gradient().equalsWithEps(normal, 1e-5), what + " normal");
                assertTrue(m.gradient(x, Targets.logit(1), ReluRule.GUIDED).gradient().equalsWithEps(guided, 1e-5),
                        what + " guided");
                assertTrue(m.gradient(x, Targets.logit(1), ReluRule.DECONVNET).gradient().equalsWithEps(deconv,
                        1e-5), what + " deconvnet");
            }
        }
    }

    /** f'(x) of a DL4J activation by central differences on the activation alone. */
    private static INDArray activationSlope(Activation act, INDArray x) {
        org.nd4j.linalg.activations.IActivation f = act.getActivationFunction();
        INDArray plus = f.getActivation(x.add(H_FD), false);
        INDArray minus = f.getActivation(x.sub(H_FD), false);
        return plus.sub(minus).divi(2 * H_FD);
    }

    private static ComputationGraph withLayer(org.deeplearning4j.nn.conf.layers.Layer layer, boolean pool) {
        return CatalogueNets.chain(1, pool, b -> {
            b.addLayer("suspect", layer, "c0");
            return "suspect";
        });
    }

    @Test
    void layersOutsideTheCatalogueAreRefusedUpFrontNamingTheLayerItsTypeAndWhy() {
        InterpretException lc = assertThrows(InterpretException.class, () -> wrap(withLayer(
                new LocallyConnected2D.Builder().kernelSize(3, 3).nOut(2).setInputSize(CatalogueNets.H,
                        CatalogueNets.H).build(), true), ExecutionPath.AUTO));
        assertTrue(lc.getMessage().contains("suspect (LocallyConnected2D)") && lc.getMessage().contains("2x"),
                lc.getMessage());
        InterpretException sb = assertThrows(InterpretException.class, () -> wrap(withLayer(
                new SpaceToBatchLayer.Builder(new int[] {2, 2}).build(), true), ExecutionPath.DL4J_LAYERS));
        assertTrue(sb.getMessage().contains("SpaceToBatchLayer") && sb.getMessage().contains("batch"),
                sb.getMessage());
        InterpretException unknown = assertThrows(InterpretException.class, () -> wrap(CatalogueNets.chain(2, false,
                b -> {
                    b.addLayer("gap2", new GlobalPoolingLayer(PoolingType.AVG), "c0");
                    b.addLayer("suspect", new ElementWiseMultiplicationLayer.Builder().nIn(3).nOut(3).build(),
                            "gap2");
                    return "suspect";
                }), ExecutionPath.AUTO));
        assertTrue(unknown.getMessage().contains("suspect (ElementWiseMultiplicationLayer)")
                && unknown.getMessage().contains("not in the verified layer catalogue"), unknown.getMessage());
        MultiLayerNetwork nhwcNet = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 2, org.deeplearning4j.nn.conf.CNN2DFormat.NHWC)).build());
        nhwcNet.init();
        InterpretException nhwc = assertThrows(InterpretException.class, () -> Models.builder(nhwcNet).build());
        assertTrue(nhwc.getMessage().contains("NHWC"), nhwc.getMessage());
    }

    /** The table says causal convolution is 1-D only in DL4J: a 2-D network with it cannot even be built. */
    @Test
    void causalModeIsRejectedByDl4jItselfFor2dConvolutions() {
        assertThrows(RuntimeException.class, () -> withLayer(new ConvolutionLayer.Builder(3, 3).nOut(2)
                .convolutionMode(ConvolutionMode.Causal).build(), true));
    }

    @Test
    void theReadmeCarriesTheCatalogueTableVerbatim() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        assertTrue(text.contains(LayerCatalogue.markdown()), "README.md's layer table differs from "
                + "LayerCatalogue.markdown(); paste it again:\n" + LayerCatalogue.markdown());
    }
}
