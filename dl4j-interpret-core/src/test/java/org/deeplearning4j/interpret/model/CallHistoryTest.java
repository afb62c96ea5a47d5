package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.attribution.Deconvnet;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.LayerAttribution;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.attribution.ScoreCam;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.Hit;
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Results never depend on call history: every call on a model that has already served a seeded random sequence of
 * other calls (every kind, varying batch sizes, chunked) equals the same call on a freshly wrapped model, on both
 * engines, for a MultiLayerNetwork, a ComputationGraph and a SameDiff graph; two threads sharing one wrapped model
 * get the same results as one thread.
 */
class CallHistoryTest {
    private static final double REL_TOL = 1e-6;

    /** The Fashion-MNIST-shaped CNN of the report: conv-relu x2 (same mode), maxpool, conv-relu, maxpool, dense. */
    static MultiLayerNetwork examplesCnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(8)
                        .activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(8)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(16)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A model under test: how to wrap it afresh, its input shape, a spatial layer and the data type. */
    private static final class Fixture {
        final String name;
        final Supplier<InterpretableModel> wrap;
        final long[] inShape;
        final String spatial;

        Fixture(String name, Supplier<InterpretableModel> wrap, long[] inShape, String spatial) {
            this.name = name;
            this.wrap = wrap;
            this.inShape = inShape;
            this.spatial = spatial;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        MultiLayerNetwork mln = examplesCnn();
        InputSpec mnist = InputSpec.builder().shape(1, 28, 28).pixelRange(0, 1).build();
        ComputationGraph cg = TestNets.resnetLike(DataType.FLOAT, 5);
        TestNets.randomiseBatchNorm(cg, 6);
        InputSpec small = InputSpec.builder().shape(3, 10, 10).build();
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            out.add(Arguments.of(new Fixture("MultiLayerNetwork/" + p,
                    () -> Models.builder(mln).inputSpec(mnist).executionPath(p).build(), new long[] {1, 28, 28},
                    "layer3")));
            out.add(Arguments.of(new Fixture("ComputationGraph/" + p,
                    () -> Models.builder(cg).inputSpec(small).executionPath(p).maxBatchSize(8).build(),
                    new long[] {3, 10, 10}, "add_relu")));
        }
        ComputationGraph g = SameDiffModelTest.smallGraph();
        SameDiff sd = SameDiffModelTest.sameDiffCopyOf(g);
        InputSpec eight = InputSpec.builder().shape(1, 8, 8).build();
        out.add(Arguments.of(new Fixture("SameDiff", () -> Models.builder(sd, "input", "logits")
                .layers("conv", "relu", "pool").inputSpec(eight).maxBatchSize(8).build(), new long[] {1, 8, 8},
                "relu")));
        return out.stream();
    }

    /** Every kind of call, each reduced to one array to compare. */
    private static Map<String, BiFunction<InterpretableModel, INDArray, INDArray>> calls(Fixture f) {
        Map<String, BiFunction<InterpretableModel, INDArray, INDArray>> c = new LinkedHashMap<>();
        c.put("gradient", (m, x) -> m.gradient(x, Targets.logit(1)).gradient());
        c.put("layerGradient", (m, x) -> m.layerGradient(x, Targets.logit(2), f.spatial).gradient());
        c.put("logits", InterpretableModel::logits);
        c.put("activations", (m, x) -> m.activations(x, f.spatial).get(f.spatial));
        c.put("saliency", (m, x) -> Saliency.of(m).attribute(x, Targets.predicted()).attributions());
        c.put("gradientXInput", (m, x) -> GradientXInput.of(m).attribute(x, Targets.logit(0)).attributions());
        c.put("integratedGradients", (m, x) -> IntegratedGradients.builder(m).steps(20).build()
                .attribute(x, Targets.logit(1)).attributions());
        c.put("smoothGrad", (m, x) -> NoiseTunnel.builder(m, Saliency.of(m)).samples(3).seed(4).build()
                .attribute(x, Targets.predicted()).attributions());
        c.put("guidedBackprop", (m, x) -> GuidedBackprop.of(m).attribute(x, Targets.logit(1)).attributions());
        c.put("deconvnet", (m, x) -> Deconvnet.of(m).attribute(x, Targets.logit(1)).attributions());
        c.put("gradCam", (m, x) -> GradCam.builder(m).layer(f.spatial).build().attribute(x, Targets.logit(1))
                .attributions());
        c.put("scoreCam", (m, x) -> ScoreCam.builder(m).layer(f.spatial).build().attribute(x, Targets.logit(1))
                .attributions());
        c.put("occlusion", (m, x) -> Occlusion.builder(m).window(4).stride(4).build()
                .attribute(x, Targets.logit(1)).attributions());
        c.put("layerIntegratedGradients", (m, x) -> LayerAttribution.builder(m, f.spatial)
                .method(LayerAttribution.Method.INTEGRATED_GRADIENTS).steps(6).build()
                .attribute(x, Targets.logit(0)).attributions());
        c.put("guidedGradientAtLayer", (m, x) -> m.spi().layerGradient(x, Targets.logit(0), f.spatial, null,
                ReluRule.GUIDED).gradient());
        c.put("featureVisStep", (m, x) -> FeatureVisualization.builder().steps(2).images((int) Math.min(3,
                x.size(0))).seed(x.size(0)).logProgress(false).build()
                .run(m, Objectives.channel(f.spatial, 0).plus(Objectives.deepDream(f.spatial))).images());
        c.put("exampleSearch", (m, x) -> {
            ExampleSearchResult r = ExampleSearch.builder(m).channels(f.spatial).k(2).build()
                    .search(List.of(x).iterator());
            List<Double> v = new ArrayList<>();
            for (Unit u : r.units()) {
                for (Hit h : r.top(u)) {
                    v.add(h.value());
                }
            }
            return Nd4j.createFromArray(v.stream().mapToDouble(Double::doubleValue).toArray());
        });
        return c;
    }

    private static INDArray input(Fixture f, DataType dt, int n, Random r) {
        long len = n * f.inShape[0] * f.inShape[1] * f.inShape[2];
        double[] d = new double[(int) len];
        for (int i = 0; i < d.length; i++) {
            // exact zeros now and then, as on black backgrounds
            d[i] = r.nextInt(8) == 0 ? 0 : r.nextDouble();
        }
        return Nd4j.createFromArray(d).castTo(dt).reshape(n, f.inShape[0], f.inShape[1], f.inShape[2]);
    }

    private static void same(INDArray expected, INDArray actual, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE);
        assertTrue(java.util.Arrays.equals(e.shape(), a.shape()), what + ": shape " + java.util.Arrays.toString(
                a.shape()) + " vs " + java.util.Arrays.toString(e.shape()));
        double scale = Math.max(e.amaxNumber().doubleValue(), 1e-12);
        double diff = e.sub(a).amaxNumber().doubleValue();
        assertTrue(diff <= REL_TOL * scale, what + ": differs by " + diff + " (relative " + diff / scale + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyCallAfterASeededRandomHistoryEqualsTheSameCallOnAFreshlyWrappedModel(Fixture f) {
        InterpretableModel shared = f.wrap.get();
        Map<String, BiFunction<InterpretableModel, INDArray, INDArray>> calls = calls(f);
        List<String> kinds = new ArrayList<>(calls.keySet());
        Random r = new Random(20261201L + f.name.hashCode());
        StringBuilder history = new StringBuilder();
        for (int step = 0; step < 14; step++) {
            String kind = kinds.get(r.nextInt(kinds.size()));
            int n = 1 + r.nextInt(kind.equals("integratedGradients") || kind.equals("smoothGrad")
                    || kind.equals("occlusion") || kind.equals("scoreCam") ? 3 : 20);
            INDArray x = input(f, shared.dataType(), n, r);
            history.append(kind).append('(').append(n).append(") ");
            INDArray got = calls.get(kind).apply(shared, x);
            assertTrue(got.ordering() == 'c', kind + " returned a column-major array");
            INDArray expected = calls.get(kind).apply(f.wrap.get(), x);
            same(expected, got, f + " after [" + history.toString().trim() + "]");
        }
    }

    @Test
    void theReportedHistoryGradient16Logits16ThenGradient32GivesTheFreshGradient() {
        MultiLayerNetwork net = examplesCnn();
        InputSpec spec = InputSpec.builder().shape(1, 28, 28).pixelRange(0, 1).build();
        Random r = new Random(1);
        Fixture f = new Fixture("mln", null, new long[] {1, 28, 28}, null);
        INDArray x16 = input(f, DataType.FLOAT, 16, r);
        INDArray x32 = input(f, DataType.FLOAT, 32, r);
        INDArray expected = Models.builder(net).inputSpec(spec).build().gradient(x32, Targets.logit(1)).gradient();
        InterpretableModel m = Models.builder(net).inputSpec(spec).build();
        m.gradient(x16, Targets.logit(1));
        m.logits(x16);
        same(expected, m.gradient(x32, Targets.logit(1)).gradient(), "gradient after gradient(16), logits(16)");
        INDArray one = x32.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        same(IntegratedGradients.of(Models.builder(net).inputSpec(spec).build()).attribute(one, Targets.logit(1))
                .attributions(), IntegratedGradients.of(m).attribute(one, Targets.logit(1)).attributions(),
                "integrated gradients after that history");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void twoThreadsSharingOneWrappedModelGetTheResultsOfOneThread(Fixture f) throws Exception {
        InterpretableModel shared = f.wrap.get();
        Map<String, BiFunction<InterpretableModel, INDArray, INDArray>> calls = calls(f);
        List<String> kinds = List.of("gradient", "logits", "integratedGradients", "guidedBackprop", "gradCam",
                "layerGradient");
        Random r = new Random(7);
        List<String> plan = new ArrayList<>();
        List<INDArray> inputs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            plan.add(kinds.get(r.nextInt(kinds.size())));
            inputs.add(input(f, shared.dataType(), 1 + r.nextInt(6), r));
        }
        List<INDArray> expected = new ArrayList<>();
        InterpretableModel sequential = f.wrap.get();
        for (int i = 0; i < plan.size(); i++) {
            expected.add(calls.get(plan.get(i)).apply(sequential, inputs.get(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<INDArray>> got = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) {
                int k = i;
                got.add(pool.submit(() -> calls.get(plan.get(k)).apply(shared, inputs.get(k))));
            }
            for (int i = 0; i < plan.size(); i++) {
                same(expected.get(i), got.get(i).get(), f + " " + plan.get(i) + " #" + i + " from two threads");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
