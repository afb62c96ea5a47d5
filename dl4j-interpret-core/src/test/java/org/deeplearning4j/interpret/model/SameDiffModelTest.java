package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
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
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same CNN as a SameDiff graph and as a ComputationGraph with the same weights: every method agrees. */
public class SameDiffModelTest {
    private static final double TOL = 1e-8;
    private static ComputationGraph graph;
    private static SameDiff sd;
    private static InterpretableModel cg;
    private static InterpretableModel sdm;
    private static INDArray x;

    @BeforeAll
    static void sameNetworkTwice() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        graph = smallGraph();
        sd = sameDiffCopyOf(graph);
        InputSpec spec = InputSpec.builder().shape(1, 8, 8).build();
        cg = Models.builder(graph).inputSpec(spec).build();
        sdm = Models.builder(sd, "input", "logits").layers("conv", "relu", "pool").inputSpec(spec).build();
        x = Nd4j.rand(DataType.DOUBLE, 3, 1, 8, 8);
    }

    /** conv (same) -> relu -> max pool -> softmax output on 1x8x8 inputs, double precision, seeded. */
    public static ComputationGraph smallGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.RELU).graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "conv")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                        "relu")
                .addLayer("logits", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("logits").setInputTypes(InputType.convolutional(8, 8, 1)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(11);
        g.getLayer("conv").getParam("b").assign(Nd4j.rand(DataType.DOUBLE, 1, 4).subi(0.3));
        return g;
    }

    /** The same architecture written in SameDiff with the graph's weights (c-order flatten, as DL4J's preprocessor). */
    public static SameDiff sameDiffCopyOf(ComputationGraph g) {
        SameDiff s = SameDiff.create();
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 1, 8, 8);
        // libnd4j's conv2d_bp in M2.1 rejects OIYX weights, so the graph uses the TensorFlow layout [kH, kW, iC, oC]
        SDVariable w = s.var("w", g.getLayer("conv").getParam("W").permute(2, 3, 1, 0).dup('c'));
        SDVariable b = s.var("b", g.getLayer("conv").getParam("b").dup().reshape(4));
        SDVariable conv = s.cnn().conv2d("conv", in, w, b, Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).dH(1)
                .dW(1).paddingMode(PaddingMode.SAME).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build());
        SDVariable relu = s.nn().relu("relu", conv, 0);
        SDVariable pool = s.cnn().maxPooling2d("pool", relu, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                .isNHWC(false).build());
        SDVariable flat = s.reshape("flat", pool, -1, 64);
        SDVariable w2 = s.var("w2", g.getLayer("logits").getParam("W").dup());
        SDVariable b2 = s.var("b2", g.getLayer("logits").getParam("b").dup().reshape(3));
        s.nn().linear("logits", flat, w2, b2);
        return s;
    }

    private static void same(INDArray a, INDArray b, String what) {
        double diff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(diff < TOL * Math.max(1, a.amaxNumber().doubleValue()), what + " differs by " + diff);
    }

    @Test
    void replacingAHiddenActivationGivesTheSameValuesGradientsAndLayerIntegratedGradients() {
        INDArray ov = cg.activations(x, "relu").get("relu").mul(0.5);
        same(cg.spi().values(x, Targets.logit(0), "relu", ov), sdm.spi().values(x, Targets.logit(0), "relu", ov),
                "override");
        org.deeplearning4j.interpret.gradient.ReluRule n = org.deeplearning4j.interpret.gradient.ReluRule.NORMAL;
        same(cg.spi().layerGradient(x, Targets.logit(0), "relu", ov, n).gradient(),
                sdm.spi().layerGradient(x, Targets.logit(0), "relu", ov, n).gradient(), "gradient at the override");
        same(cg.spi().layerGradient(x, Targets.channel("pool", 2), "conv", cg.activations(x, "conv").get("conv").mul(2), n)
                .gradient(), sdm.spi().layerGradient(x, Targets.channel("pool", 2), "conv",
                sdm.activations(x, "conv").get("conv").mul(2), n).gradient(), "gradient at an earlier override");
        for (String layer : List.of("relu", "pool")) {
            AttributionResult a = LayerAttribution.builder(cg, layer).method(LayerAttribution.Method
                    .INTEGRATED_GRADIENTS).steps(8).build().attribute(x, Targets.predicted());
            AttributionResult b = LayerAttribution.builder(sdm, layer).method(LayerAttribution.Method
                    .INTEGRATED_GRADIENTS).steps(8).build().attribute(x, Targets.predicted());
            same(a.attributions(), b.attributions(), "layer integrated gradients at " + layer);
        }
    }

    @Test
    void forwardPassesAndGradientsAgree() {
        same(cg.logits(x), sdm.logits(x), "logits");
        Map<String, INDArray> a = cg.activations(x, "conv", "relu", "pool");
        Map<String, INDArray> b = sdm.activations(x, "conv", "relu", "pool");
        for (String l : a.keySet()) {
            same(a.get(l), b.get(l), "activation " + l);
        }
        for (Target t : List.of(Targets.logit(1), Targets.predictedProbability(), Targets.channel("relu", 2),
                Targets.neuron("pool", 3, 1, 2))) {
            same(cg.gradient(x, t).gradient(), sdm.gradient(x, t).gradient(), "gradient of " + t.description());
            same(cg.layerGradient(x, t, "relu").gradient(), sdm.layerGradient(x, t, "relu").gradient(),
                    "layer gradient of " + t.description());
        }
        assertEquals(3, sdm.numClasses());
        assertEquals(List.of(4L, 4L, 4L), java.util.Arrays.stream(sdm.layer("pool").outputShape()).boxed()
                .collect(java.util.stream.Collectors.toList()));
    }

    @Test
    void everyAttributionMethodGivesTheSameMaps() {
        INDArray background = Nd4j.rand(DataType.DOUBLE, 2, 1, 8, 8);
        List<Function<InterpretableModel, Attribution>> methods = List.of(Saliency::of, GradientXInput::of,
                m -> IntegratedGradients.builder(m).steps(16).build(),
                m -> NoiseTunnel.builder(m, Saliency.of(m)).samples(4).build(),
                m -> Occlusion.builder(m).window(3).stride(2).build(),
                m -> GradCam.builder(m).layer("relu").build(),
                m -> GradCam.builder(m).layer("relu").variant(GradCam.Variant.PLUS_PLUS).build(),
                m -> ScoreCam.builder(m).layer("relu").build(),
                m -> LayerAttribution.builder(m, "pool").build(),
                m -> org.deeplearning4j.interpret.attribution.GradientShap.builder(m).samples(6).seed(3).build(),
                m -> org.deeplearning4j.interpret.attribution.KernelShap.builder(m).samples(40).seed(3)
                        .segmenter(org.deeplearning4j.interpret.segmentation.Segmenters.grid(4, 4)).build(),
                m -> org.deeplearning4j.interpret.attribution.ShapleyValueSampling.builder(m).samples(3).seed(3)
                        .segmenter(org.deeplearning4j.interpret.segmentation.Segmenters.grid(4, 4)).build(),
                m -> org.deeplearning4j.interpret.attribution.Lime.builder(m).samples(40).seed(3)
                        .segmenter(org.deeplearning4j.interpret.segmentation.Segmenters.grid(4, 4)).build(),
                m -> org.deeplearning4j.interpret.attribution.FeatureAblation.builder(m)
                        .segmenter(org.deeplearning4j.interpret.segmentation.Segmenters.grid(4, 4)).build(),
                m -> org.deeplearning4j.interpret.attribution.FeaturePermutation.builder(m).seed(3)
                        .segmenter(org.deeplearning4j.interpret.segmentation.Segmenters.grid(4, 4)).build(),
                m -> org.deeplearning4j.interpret.attribution.DeepLiftShap.of(m, background));
        for (Function<InterpretableModel, Attribution> f : methods) {
            Nd4j.getRandom().setSeed(17);
            AttributionResult a = f.apply(cg).attribute(x, Targets.predicted());
            AttributionResult b = f.apply(sdm).attribute(x, Targets.predicted());
            same(a.attributions(), b.attributions(), a.method() + " attributions");
            same(a.map(), b.map(), a.method() + " map");
        }
    }

    @Test
    void tcavGivesTheSameConceptScoresOnTheGraph() {
        Nd4j.getRandom().setSeed(23);
        INDArray cls = Nd4j.rand(DataType.DOUBLE, 4, 1, 8, 8);
        java.util.Map<String, INDArray> concepts = java.util.Map.of("bright", Nd4j.rand(DataType.DOUBLE, 4, 1, 8, 8)
                .addi(0.5));
        List<INDArray> random = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            random.add(Nd4j.rand(DataType.DOUBLE, 4, 1, 8, 8));
        }
        org.deeplearning4j.interpret.concepts.TcavResult a = org.deeplearning4j.interpret.concepts.Tcav.builder(cg)
                .layer("relu").build().test(cls, Targets.logit(1), concepts, random);
        org.deeplearning4j.interpret.concepts.TcavResult b = org.deeplearning4j.interpret.concepts.Tcav.builder(sdm)
                .layer("relu").build().test(cls, Targets.logit(1), concepts, random);
        org.deeplearning4j.interpret.concepts.ConceptScore ca = a.concept("bright");
        org.deeplearning4j.interpret.concepts.ConceptScore cb = b.concept("bright");
        org.junit.jupiter.api.Assertions.assertArrayEquals(ca.scores(), cb.scores(), 1e-12);
        org.junit.jupiter.api.Assertions.assertArrayEquals(ca.cavAccuracies(), cb.cavAccuracies(), 1e-12);
        assertEquals(ca.pValue(), cb.pValue(), 1e-12);
    }

    @Test
    void guidedBackpropAndDeconvnetRulesAgreeWhereTheGraphsReluOpsAreFound() {
        for (org.deeplearning4j.interpret.gradient.ReluRule rule : List.of(
                org.deeplearning4j.interpret.gradient.ReluRule.GUIDED,
                org.deeplearning4j.interpret.gradient.ReluRule.DECONVNET)) {
            for (Target t : List.of(Targets.logit(2), Targets.channel("pool", 1))) {
                same(cg.gradient(x, t, rule).gradient(), sdm.gradient(x, t, rule).gradient(), rule + " " + t);
            }
        }
        AttributionResult a = GuidedBackprop.of(cg).attribute(x, Targets.predicted());
        AttributionResult b = GuidedBackprop.of(sdm).attribute(x, Targets.predicted());
        same(a.map(), b.map(), "guided backprop map");
    }

    @Test
    void featureVisualizationObjectivesAndDatasetSearchAgree() {
        Objective o = Objectives.channel("relu", 1).plus(Objectives.deepDream("pool"))
                .minus(Objectives.diversity("conv").times(2)).minus(Objectives.l2().times(0.1));
        FeatureVisualization fv = FeatureVisualization.builder().steps(4).images(2).seed(5).logProgress(false).build();
        same(fv.run(cg, o).images(), fv.run(sdm, o).images(), "optimised images");
        same(fv.run(cg, Objectives.classProbability(2)).images(), fv.run(sdm, Objectives.classProbability(2))
                .images(), "class probability images");
        // DeepDream's seeds are affine: completed inside the pass on the network, from a forward pass on the graph
        same(fv.run(cg, Objectives.deepDream("pool")).images(), fv.run(sdm, Objectives.deepDream("pool")).images(),
                "DeepDream images");
        List<INDArray> batches = new ArrayList<>();
        Nd4j.getRandom().setSeed(2);
        for (int i = 0; i < 4; i++) {
            batches.add(Nd4j.rand(DataType.DOUBLE, 5, 1, 8, 8));
        }
        ExampleSearchResult a = ExampleSearch.builder(cg).channels("pool").k(3).build().search(batches.iterator());
        ExampleSearchResult b = ExampleSearch.builder(sdm).channels("pool").k(3).build().search(batches.iterator());
        for (Unit u : a.units()) {
            List<Hit> ha = a.top(u);
            List<Hit> hb = b.top(u);
            for (int i = 0; i < ha.size(); i++) {
                assertEquals(ha.get(i).value(), hb.get(i).value(), 1e-9, u + " rank " + i);
            }
        }
        // measured receptive field of a pool unit: the 4x4 window of two stacked layers (3x3 conv, 2x2 pool)
        ReceptiveField f = sdm.receptiveField("pool", 1, 1);
        assertEquals(cg.receptiveField("pool", 1, 1), f);
    }

    @Test
    void theGraphIsUntouchedAndTrainingUpdatesAreSeen() {
        int vars = sd.variables().size();
        INDArray w = sd.getArrForVarName("w").dup();
        sdm.gradient(x, Targets.logit(0));
        assertEquals(vars, sd.variables().size(), "no ops or placeholders were added to the user's graph");
        assertEquals(w, sd.getArrForVarName("w"));
        SameDiff other = sameDiffCopyOf(graph);
        InterpretableModel m = Models.builder(other, "input", "logits").build();
        INDArray before = m.logits(x);
        other.getArrForVarName("b2").addi(1.0); // an in-place update, as training does
        same(before.add(1.0), m.logits(x), "logits after an in-place weight update");
    }

    @Test
    void badInputGetsClearErrors() {
        String unknown = assertThrows(IllegalArgumentException.class, () -> Models.builder(sd, "input", "scores")
                .build()).getMessage();
        assertTrue(unknown.contains("scores") && unknown.contains("relu") && unknown.contains("logits"), unknown);
        String layer = assertThrows(IllegalArgumentException.class, () -> Models.builder(sd, "input", "logits")
                .layers("relu", "conv9").build()).getMessage();
        assertTrue(layer.contains("conv9") && layer.contains("pool"), layer);
        String ph = assertThrows(IllegalArgumentException.class, () -> Models.builder(sd, "w", "logits").build())
                .getMessage();
        assertTrue(ph.contains("not a placeholder") && ph.contains("input"), ph);
        String shape = assertThrows(IllegalArgumentException.class, () -> sdm.logits(Nd4j.rand(DataType.DOUBLE, 2, 3,
                8, 8))).getMessage();
        assertTrue(shape.contains("Expected 1 input channels, got 3"), shape);
        String size = assertThrows(IllegalArgumentException.class, () -> sdm.logits(Nd4j.rand(DataType.DOUBLE, 2, 1,
                9, 9))).getMessage();
        assertTrue(size.contains("8x8"), size);
        String override = assertThrows(IllegalArgumentException.class, () -> sdm.spi().values(x, Targets.logit(0), "pool",
                Nd4j.zeros(DataType.DOUBLE, 3, 4, 2, 2))).getMessage();
        assertTrue(override.contains("[3, 4, 4, 4]"), override);
    }

    @Test
    void deepLiftAndLrpGiveTheComputationGraphsMaps() {
        INDArray ref = Nd4j.rand(DataType.DOUBLE, 3, 1, 8, 8).muli(0.5);
        org.deeplearning4j.interpret.attribution.AttributionResult a = org.deeplearning4j.interpret.attribution
                .DeepLift.builder(cg).baselines(org.deeplearning4j.interpret.attribution.Baselines.image(ref)).build()
                .attribute(x, Targets.predicted());
        org.deeplearning4j.interpret.attribution.AttributionResult b = org.deeplearning4j.interpret.attribution
                .DeepLift.builder(sdm).baselines(org.deeplearning4j.interpret.attribution.Baselines.image(ref)).build()
                .attribute(x, Targets.predicted());
        same(a.attributions(), b.attributions(), "DeepLIFT");
        same(a.convergenceDelta().get(), b.convergenceDelta().get(), "DeepLIFT gap");
        for (org.deeplearning4j.interpret.gradient.LrpRule r : List.of(
                org.deeplearning4j.interpret.gradient.LrpRule.zero(),
                org.deeplearning4j.interpret.gradient.LrpRule.epsilon(0.1))) {
            INDArray lc = org.deeplearning4j.interpret.attribution.Lrp.builder(cg).rule(r).build()
                    .attribute(x, Targets.logit(2)).attributions();
            INDArray ls = org.deeplearning4j.interpret.attribution.Lrp.builder(sdm).rule(r).build()
                    .attribute(x, Targets.logit(2)).attributions();
            same(lc, ls, "LRP " + r);
        }
        INDArray plusC = org.deeplearning4j.interpret.attribution.Lrp.builder(cg)
                .composite(org.deeplearning4j.interpret.gradient.LrpComposite.epsilonPlus()).build()
                .attribute(x, Targets.logit(2)).attributions();
        INDArray plusS = org.deeplearning4j.interpret.attribution.Lrp.builder(sdm)
                .composite(org.deeplearning4j.interpret.gradient.LrpComposite.epsilonPlus()).build()
                .attribute(x, Targets.logit(2)).attributions();
        same(plusC, plusS, "LRP epsilon-plus");
        org.deeplearning4j.interpret.attribution.DeepLift rcC = org.deeplearning4j.interpret.attribution.DeepLift
                .builder(cg).baselines(org.deeplearning4j.interpret.attribution.Baselines.image(ref))
                .rule(org.deeplearning4j.interpret.attribution.DeepLift.Rule.REVEAL_CANCEL).build();
        org.deeplearning4j.interpret.attribution.DeepLift rcS = org.deeplearning4j.interpret.attribution.DeepLift
                .builder(sdm).baselines(org.deeplearning4j.interpret.attribution.Baselines.image(ref))
                .rule(org.deeplearning4j.interpret.attribution.DeepLift.Rule.REVEAL_CANCEL).build();
        same(rcC.attribute(x, Targets.predicted()).attributions(), rcS.attribute(x, Targets.predicted())
                .attributions(), "RevealCancel");
    }

    /** input -> flatten -> dense -> tanh -> dense -> sigmoid -> dense logits; optionally tanh(h) * h (not linear). */
    private static SameDiff smoothGraph(boolean product) {
        SameDiff s = SameDiff.create();
        Nd4j.getRandom().setSeed(5);
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 1, 8, 8);
        SDVariable flat = s.reshape("flat", in, -1, 64);
        SDVariable h = s.nn().linear("h", flat, s.var("w1", Nd4j.randn(DataType.DOUBLE, 64, 5).muli(0.3)),
                s.var("b1", Nd4j.randn(DataType.DOUBLE, 5).muli(0.1)));
        SDVariable t = s.nn().tanh("t", h);
        if (product) {
            t = t.mul("prod", h);
        }
        SDVariable g = s.nn().sigmoid("g", s.nn().linear("h2", t, s.var("w2", Nd4j.randn(DataType.DOUBLE, 5, 4)),
                s.var("b2", Nd4j.randn(DataType.DOUBLE, 4).muli(0.1))));
        s.nn().linear("logits", g, s.var("w3", Nd4j.randn(DataType.DOUBLE, 4, 3)), s.var("b3",
                Nd4j.zeros(DataType.DOUBLE, 3)));
        return s;
    }

    @Test
    void deepLiftSumsToTheChangeThroughTanhAndSigmoidOnAGraphAndANonLinearProductIsRefused() {
        InputSpec spec = InputSpec.builder().shape(1, 8, 8).build();
        InterpretableModel m = Models.builder(smoothGraph(false), "input", "logits").inputSpec(spec).build();
        INDArray ref = Nd4j.rand(DataType.DOUBLE, 3, 1, 8, 8);
        org.deeplearning4j.interpret.attribution.AttributionResult r = org.deeplearning4j.interpret.attribution
                .DeepLift.builder(m).baselines(org.deeplearning4j.interpret.attribution.Baselines.image(ref)).build()
                .attribute(x, Targets.logit(1));
        INDArray change = m.logits(x).getColumn(1).sub(m.logits(ref).getColumn(1));
        same(change, r.attributions().reshape(3, -1).sum(1), "summation to delta");
        InterpretableModel p = Models.builder(smoothGraph(true), "input", "logits").inputSpec(spec).build();
        org.deeplearning4j.interpret.InterpretException e = assertThrows(
                org.deeplearning4j.interpret.InterpretException.class, () -> org.deeplearning4j.interpret.attribution
                        .DeepLift.builder(p).build().attribute(x, Targets.logit(1)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("prod"), e.getMessage());
    }
}
