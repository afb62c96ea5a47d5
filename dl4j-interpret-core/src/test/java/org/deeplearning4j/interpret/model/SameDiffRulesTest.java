package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.attribution.Lrp;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.gradient.LrpRule;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
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
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LRP composites and DeepLIFT's RevealCancel rule on a SameDiff graph give the maps of the same network as a
 * ComputationGraph: per-layer rules at convolutions and matrix products, batch norm and biases folded into the
 * convolution before them, a residual sum, max pooling, and a dense layer written as a matrix product plus a bias.
 */
public class SameDiffRulesTest {
    private static final double TOL = 1e-9;
    private static InterpretableModel cg;
    private static InterpretableModel sdm;
    private static INDArray x;

    @BeforeAll
    static void sameNetworkTwice() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph g = residualGraph();
        InputSpec spec = InputSpec.builder().shape(1, 8, 8).pixelRange(0, 1).build();
        cg = Models.builder(g).inputSpec(spec).build();
        sdm = Models.builder(sameDiffCopyOf(g), "input", "logits").inputSpec(spec).build();
        Nd4j.getRandom().setSeed(21);
        x = Nd4j.rand(DataType.DOUBLE, 3, 1, 8, 8);
    }

    /**
     * conv1 (identity) -> batch norm -> relu -> conv2 (relu); relu + conv2 -> max pool -> dense (relu) -> softmax
     * output, double precision, seeded, with non-trivial batch-norm statistics and biases of both signs.
     */
    static ComputationGraph residualGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.RELU).graphBuilder().addInputs("in")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(4).useLogStd(false).build(), "conv1")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "bn")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "relu")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "relu", "conv2")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                        "sum")
                .addLayer("dense", new DenseLayer.Builder().nOut(6).activation(Activation.RELU).build(), "pool")
                .addLayer("logits", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("logits").setInputTypes(InputType.convolutional(8, 8, 1)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(13);
        g.getLayer("conv1").getParam("b").assign(Nd4j.rand(DataType.DOUBLE, 1, 4).subi(0.5));
        g.getLayer("conv2").getParam("b").assign(Nd4j.rand(DataType.DOUBLE, 1, 4).subi(0.5).muli(0.2));
        g.getLayer("dense").getParam("b").assign(Nd4j.rand(DataType.DOUBLE, 1, 6).subi(0.5).muli(0.2));
        g.getLayer("bn").getParam("gamma").assign(Nd4j.createFromArray(1.5, -0.7, 0.9, 1.1).reshape(1, 4));
        g.getLayer("bn").getParam("beta").assign(Nd4j.createFromArray(0.1, -0.2, 0.3, 0.0).reshape(1, 4));
        g.getLayer("bn").getParam("mean").assign(Nd4j.createFromArray(0.2, -0.1, 0.0, 0.3).reshape(1, 4));
        g.getLayer("bn").getParam("var").assign(Nd4j.createFromArray(0.5, 1.2, 0.8, 2.0).reshape(1, 4));
        return g;
    }

    private static SDVariable conv(SameDiff s, String name, SDVariable in, ComputationGraph g, String layer) {
        INDArray w = g.getLayer(layer).getParam("W");
        SDVariable wv = s.var(layer + "_w", w.permute(2, 3, 1, 0).dup('c'));
        SDVariable bv = s.var(layer + "_b", g.getLayer(layer).getParam("b").dup().reshape(w.size(0)));
        return s.cnn().conv2d(name, in, wv, bv, Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.SAME).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build());
    }

    /** The same network in SameDiff: the dense layer as a matrix product and a separate bias add. */
    static SameDiff sameDiffCopyOf(ComputationGraph g) {
        SameDiff s = SameDiff.create();
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 1, 8, 8);
        SDVariable c1 = conv(s, "conv1", in, g, "conv1");
        SDVariable bn = s.nn().batchNorm("bn", c1, s.constant(g.getLayer("bn").getParam("mean").dup().reshape(4)),
                s.constant(g.getLayer("bn").getParam("var").dup().reshape(4)),
                s.var("gamma", g.getLayer("bn").getParam("gamma").dup().reshape(4)),
                s.var("beta", g.getLayer("bn").getParam("beta").dup().reshape(4)), 1e-5, 1);
        SDVariable relu = s.nn().relu("relu", bn, 0);
        SDVariable c2 = s.nn().relu("conv2_relu", conv(s, "conv2", relu, g, "conv2"), 0);
        SDVariable sum = relu.add("sum", c2);
        SDVariable pool = s.cnn().maxPooling2d("pool", sum, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                .isNHWC(false).build());
        SDVariable flat = s.reshape("flat", pool, -1, 64);
        SDVariable dense = s.mmul("dense", flat, s.var("dense_w", g.getLayer("dense").getParam("W").dup()));
        SDVariable dr = s.nn().relu("dense_relu", dense.add("dense_b", s.var("dense_bias",
                g.getLayer("dense").getParam("b").dup().reshape(6))), 0);
        s.nn().linear("logits", dr, s.var("out_w", g.getLayer("logits").getParam("W").dup()),
                s.var("out_b", g.getLayer("logits").getParam("b").dup().reshape(3)));
        return s;
    }

    @Test
    void everyCompositeGivesTheComputationGraphsMapsWithBatchNormAndBiasesFolded() {
        List<LrpComposite> composites = List.of(LrpComposite.montavon(0, 1), LrpComposite.epsilonGammaBox(0, 1),
                LrpComposite.epsilonPlus(), LrpComposite.epsilonAlpha2Beta1(), LrpComposite.uniform(LrpRule.flat()),
                LrpComposite.uniform(LrpRule.wSquare()), LrpComposite.uniform(LrpRule.alphaBeta(1, 0)),
                LrpComposite.uniform(LrpRule.gamma(0.5)),
                LrpComposite.builder().first(LrpRule.zBox(-1, 2)).convolutions(LrpRule.epsilon(0.1))
                        .layer("dense", LrpRule.zero()).layer("conv2", LrpRule.gamma(1)).build());
        for (LrpComposite c : composites) {
            INDArray a = Lrp.builder(cg).composite(c).build().attribute(x, Targets.logit(1)).attributions();
            INDArray b = Lrp.builder(sdm).composite(c).build().attribute(x, Targets.logit(1)).attributions();
            double diff = a.sub(b).amaxNumber().doubleValue();
            double scale = Math.max(1e-3, a.amaxNumber().doubleValue());
            assertTrue(diff < TOL * Math.max(1, scale) && a.amaxNumber().doubleValue() > 0,
                    c + ": the graph's map differs by " + diff + " (largest value " + scale + ")");
        }
    }

    @Test
    void revealCancelGivesTheComputationGraphsMapsAndSumsToTheChangeWithoutMaxima() {
        INDArray ref = Nd4j.rand(DataType.DOUBLE, 3, 1, 8, 8).muli(0.5);
        for (org.deeplearning4j.interpret.targets.Target t : List.of(Targets.logit(1), Targets.logit(2))) {
            org.deeplearning4j.interpret.attribution.AttributionResult a = revealCancel(cg, ref).attribute(x, t);
            org.deeplearning4j.interpret.attribution.AttributionResult b = revealCancel(sdm, ref).attribute(x, t);
            double diff = a.attributions().sub(b.attributions()).amaxNumber().doubleValue();
            assertTrue(diff < TOL * Math.max(1, a.attributions().amaxNumber().doubleValue()),
                    "RevealCancel differs by " + diff);
            double gap = a.convergenceDelta().get().sub(b.convergenceDelta().get()).amaxNumber().doubleValue();
            assertTrue(gap < TOL, "convergence gaps differ by " + gap);
        }
        // without max pooling the contributions sum to the change of the logit exactly (tanh, sigmoid, biases)
        SameDiff s = SameDiff.create();
        Nd4j.getRandom().setSeed(5);
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 1, 8, 8);
        SDVariable h = s.nn().linear("h", s.reshape("flat", in, -1, 64), s.var("w1",
                Nd4j.randn(DataType.DOUBLE, 64, 5).muli(0.3)), s.var("b1", Nd4j.randn(DataType.DOUBLE, 5).muli(0.1)));
        SDVariable g = s.nn().sigmoid("g", s.nn().linear("h2", s.nn().tanh("t", h), s.var("w2",
                Nd4j.randn(DataType.DOUBLE, 5, 4)), s.var("b2", Nd4j.randn(DataType.DOUBLE, 4).muli(0.1))));
        s.nn().linear("logits", g.mul("scaled", s.constant(Nd4j.createFromArray(1.0, -2.0, 0.5, 3.0))),
                s.var("w3", Nd4j.randn(DataType.DOUBLE, 4, 3)), s.var("b3", Nd4j.zeros(DataType.DOUBLE, 3)));
        InterpretableModel m = Models.builder(s, "input", "logits").inputSpec(InputSpec.builder().shape(1, 8, 8)
                .build()).build();
        INDArray r = revealCancel(m, ref).attribute(x, Targets.logit(1)).attributions();
        INDArray change = m.logits(x).getColumn(1).sub(m.logits(ref).getColumn(1));
        double err = change.sub(r.reshape(3, -1).sum(1)).amaxNumber().doubleValue();
        assertTrue(err < 1e-9, "summation to delta misses by " + err);
    }

    private static org.deeplearning4j.interpret.attribution.DeepLift revealCancel(InterpretableModel m, INDArray ref) {
        return org.deeplearning4j.interpret.attribution.DeepLift.builder(m)
                .baselines(org.deeplearning4j.interpret.attribution.Baselines.image(ref))
                .rule(org.deeplearning4j.interpret.attribution.DeepLift.Rule.REVEAL_CANCEL).build();
    }

    @Test
    void aHiddenUnitTargetStartsTheRulesAtThatLayer() {
        LrpComposite c = LrpComposite.epsilonPlus();
        INDArray a = Lrp.builder(cg).composite(c).build().attribute(x, Targets.channel("conv2", 2)).attributions();
        INDArray b = Lrp.builder(sdm).composite(c).build().attribute(x, Targets.channel("conv2_relu", 2))
                .attributions();
        double diff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(diff < TOL * Math.max(1, a.amaxNumber().doubleValue()), "differs by " + diff);
    }

    @Test
    void aCompositeNamingAnUnknownLayerOrAnOpTheRulesCannotChangeIsRefusedBeforeWork() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Lrp.builder(sdm)
                .composite(LrpComposite.builder().layer("relu", LrpRule.zPlus()).build()).build()
                .attribute(x, Targets.logit(0)));
        assertTrue(unknown.getMessage().contains("relu") && unknown.getMessage().contains("conv1"),
                unknown.getMessage());
        SameDiff s = SameDiff.create();
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 1, 8, 8);
        SDVariable up = s.cnn().deconv2d("up", in, s.var("uw", Nd4j.rand(DataType.DOUBLE, 2, 2, 2, 1)),
                DeConv2DConfig.builder().kH(2).kW(2).sH(1).sW(1).isSameMode(true).dataFormat("NCHW").build());
        SDVariable flat = s.reshape("flat", s.nn().relu("r", up, 0), -1, 128);
        s.nn().linear("logits", flat, s.var("w", Nd4j.rand(DataType.DOUBLE, 128, 3)), s.var("b",
                Nd4j.zeros(DataType.DOUBLE, 3)));
        InterpretableModel m = Models.builder(s, "input", "logits").inputSpec(InputSpec.builder().shape(1, 8, 8)
                .build()).build();
        InterpretException e = assertThrows(InterpretException.class, () -> Lrp.builder(m)
                .composite(LrpComposite.epsilonPlus()).build().attribute(x, Targets.logit(0)));
        assertTrue(e.getMessage().contains("'up'") || e.getMessage().contains("output up"), e.getMessage());
        // the uniform epsilon rule still covers it
        INDArray r = Lrp.builder(m).rule(LrpRule.epsilon(1e-6)).build().attribute(x, Targets.logit(0))
                .attributions();
        assertTrue(r.amaxNumber().doubleValue() > 0);
    }

    @Test
    void aProductOfTwoValuesComputedFromTheInputIsRefusedByEveryRule() {
        SameDiff s = SameDiff.create();
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 1, 8, 8);
        SDVariable square = s.reshape("square", in, -1, 8, 8);
        SDVariable gram = s.mmul("gram", square, square);
        s.nn().linear("logits", s.reshape("flat", gram, -1, 64), s.var("w", Nd4j.rand(DataType.DOUBLE, 64, 3)),
                s.var("b", Nd4j.zeros(DataType.DOUBLE, 3)));
        InterpretableModel m = Models.builder(s, "input", "logits").inputSpec(InputSpec.builder().shape(1, 8, 8)
                .build()).build();
        INDArray three = x.dup();
        for (LrpComposite c : List.of(LrpComposite.uniform(LrpRule.epsilon(0.1)), LrpComposite.epsilonPlus())) {
            InterpretException e = assertThrows(InterpretException.class, () -> Lrp.builder(m).composite(c).build()
                    .attribute(three, Targets.logit(0)));
            assertTrue(e.getMessage().contains("gram"), e.getMessage());
        }
    }
}
