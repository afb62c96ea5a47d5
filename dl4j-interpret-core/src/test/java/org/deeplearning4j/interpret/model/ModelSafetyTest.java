package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Interpretation never changes the user's model, and interpreting during training never changes what it learns. */
class ModelSafetyTest {

    /** Every test starts from the same ND4J random state, so random inputs are reproducible. */
    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(20261125L);
    }

    private static DataSet data(long seed, long n, long hw, int classes) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, hw, hw);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1.0);
        }
        return new DataSet(x, y);
    }

    private static void runEveryMethod(InterpretableModel m, INDArray x) {
        assertEquals(ExecutionPath.SAMEDIFF, m.executionPath());
        Saliency.of(m).attribute(x, Targets.predicted());
        GradientXInput.of(m).attribute(x, Targets.probability(1));
        Occlusion.builder(m).window(4).stride(4).build().attribute(x, Targets.predicted());
        m.gradient(x, Targets.predicted(), ReluRule.GUIDED);
        m.gradient(x, Targets.predicted(), ReluRule.DECONVNET);
        m.activations(x, m.layers().get(0).name());
        org.deeplearning4j.interpret.attribution.IntegratedGradients.builder(m).steps(3).build()
                .attribute(x, Targets.predicted());
        org.deeplearning4j.interpret.attribution.NoiseTunnel.builder(m, Saliency.of(m)).samples(2).build()
                .attribute(x, Targets.predicted());
        org.deeplearning4j.interpret.attribution.GradCam.of(m).attribute(x, Targets.predicted());
        org.deeplearning4j.interpret.attribution.LayerAttribution.builder(m, m.layers().get(1).name())
                .method(org.deeplearning4j.interpret.attribution.LayerAttribution.Method.INTEGRATED_GRADIENTS)
                .steps(2).build().attribute(x, Targets.predicted());
    }

    @Test
    void multiLayerNetworkIsBitForBitUnchangedByEveryMethod() {
        MultiLayerNetwork net = TestNets.vggLike(DataType.FLOAT, 1);
        DataSet ds = data(1, 8, 12, 3);
        net.fit(ds); // so that updater state exists
        TrainingListener listener = new BaseTrainingListener() { };
        net.setListeners(listener);
        INDArray params = net.params().dup();
        INDArray updater = net.getUpdater().getStateViewArray().dup();
        INDArray paramsRef = net.params();
        INDArray input = ds.getFeatures().dup();
        runEveryMethod(Models.builder(net).inputSpec(TestNets.vggSpec()).build(), ds.getFeatures());
        assertEquals(params, net.params(), "parameters changed");
        assertSame(paramsRef, net.params(), "parameter array replaced");
        assertEquals(updater, net.getUpdater().getStateViewArray(), "updater state changed");
        assertEquals(List.of(listener), new ArrayList<>(net.getListeners()), "listeners changed");
        assertEquals(input, ds.getFeatures(), "the caller's input array changed");
    }

    @Test
    void computationGraphIsBitForBitUnchangedByEveryMethod() {
        ComputationGraph g = TestNets.resnetLike(DataType.FLOAT, 2);
        DataSet ds = data(2, 8, 10, 4);
        g.fit(ds);
        INDArray params = g.params().dup();
        INDArray updater = g.getUpdater().getStateViewArray().dup();
        runEveryMethod(Models.builder(g).inputSpec(InputSpec.builder().shape(3, 10, 10).build()).build(),
                ds.getFeatures());
        assertEquals(params, g.params(), "parameters changed");
        assertEquals(updater, g.getUpdater().getStateViewArray(), "updater state changed");
    }

    /** Both networks use dropout, so this also checks that interpretation does not consume the global RNG. */
    @Test
    void trainingWithInterpretationCallsInBetweenGivesIdenticalParameters() {
        for (boolean graph : new boolean[] {false, true}) {
            long hw = graph ? 10 : 12;
            int classes = graph ? 4 : 3;
            List<DataSet> batches = new ArrayList<>();
            for (int it = 0; it < 4; it++) {
                batches.add(data(10 + it, 6, hw, classes));
            }
            Model a = graph ? TestNets.resnetLike(DataType.FLOAT, 3) : TestNets.vggLike(DataType.FLOAT, 3);
            InterpretableModel ma = graph
                    ? Models.builder((ComputationGraph) a).inputSpec(InputSpec.builder().shape(3, 10, 10).build()).build()
                    : Models.builder((MultiLayerNetwork) a).inputSpec(TestNets.vggSpec()).build();
            Nd4j.getRandom().setSeed(77);
            for (DataSet ds : batches) {
                fit(a, ds);
                runEveryMethod(ma, ds.getFeatures());
            }
            Model b = graph ? TestNets.resnetLike(DataType.FLOAT, 3) : TestNets.vggLike(DataType.FLOAT, 3);
            Nd4j.getRandom().setSeed(77);
            for (DataSet ds : batches) {
                fit(b, ds);
            }
            assertEquals(b.params(), a.params(), "training diverged when interpretation ran in between (graph="
                    + graph + ")");
        }
    }

    private static void fit(Model m, DataSet ds) {
        if (m instanceof ComputationGraph) {
            ((ComputationGraph) m).fit(ds);
        } else {
            ((MultiLayerNetwork) m).fit(ds);
        }
    }

    @Test
    void engineIsReusedAcrossCallsAndSeesInPlaceWeightEdits() {
        MultiLayerNetwork net = TestNets.vggLike(DataType.FLOAT, 5);
        assertTrue(Dl4jModel.sameStorage(net.params(), net.params()), "params() views of one array must match");
        INDArray other = net.params().dup();
        assertTrue(!Dl4jModel.sameStorage(net.params(), other), "a copy is different storage");
        InterpretableModel m = Models.of(net);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 12, 12);
        m.logits(x);
        INDArray before = m.logits(x);
        net.setParams(other.addi(0.01f)); // a manual in-place weight edit, not training
        INDArray after = m.logits(x);
        assertTrue(!before.equalsWithEps(after, 1e-6), "adapter did not see the edited weights");
        assertTrue(org.nd4j.linalg.ops.transforms.Transforms.softmax(after, true)
                .equalsWithEps(net.output(x, false), 1e-5));
    }

    @Test
    void adapterSeesWeightsAfterFurtherTraining() {
        MultiLayerNetwork net = TestNets.vggLike(DataType.FLOAT, 4);
        InterpretableModel m = Models.of(net);
        assertEquals(ExecutionPath.SAMEDIFF, m.executionPath());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 12, 12);
        INDArray before = m.logits(x);
        for (int i = 0; i < 3; i++) {
            net.fit(data(20 + i, 8, 12, 3));
        }
        INDArray after = m.logits(x);
        assertNotEquals(before, after, "logits did not change after training");
        INDArray probs = org.nd4j.linalg.ops.transforms.Transforms.softmax(after, true);
        assertTrue(probs.equalsWithEps(net.output(x, false), 1e-5), "adapter is stale after training");
    }

    /** The fast path reads batch-norm statistics and convolution biases as views: training must show at once. */
    @Test
    void adapterSeesBatchNormStatisticsAndBiasesAfterFurtherTraining() {
        ComputationGraph g = TestNets.resnetLike(DataType.FLOAT, 6);
        InterpretableModel m = Models.builder(g).inputSpec(InputSpec.builder().shape(3, 10, 10).build()).build();
        assertEquals(ExecutionPath.SAMEDIFF, m.executionPath());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 10, 10);
        INDArray meanBefore = g.getLayer("stem_bn").getParam("mean").dup();
        INDArray before = m.logits(x);
        for (int i = 0; i < 3; i++) {
            g.fit(data(30 + i, 8, 10, 4));
        }
        assertNotEquals(meanBefore, g.getLayer("stem_bn").getParam("mean"), "training did not move the statistics");
        INDArray after = m.logits(x);
        assertNotEquals(before, after, "logits did not change after training");
        INDArray probs = org.nd4j.linalg.ops.transforms.Transforms.softmax(after, true);
        assertTrue(probs.equalsWithEps(g.outputSingle(false, x), 1e-4), "adapter is stale after training");
    }
}
