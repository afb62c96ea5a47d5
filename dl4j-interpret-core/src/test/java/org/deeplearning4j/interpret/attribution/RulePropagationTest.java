package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.gradient.LrpRule;
import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LRP and DeepLIFT against properties with known answers, in double precision. */
class RulePropagationTest {
    private static final InputSpec SPEC = InputSpec.builder().shape(2, 8, 8).build();

    @BeforeEach
    void seed() {
        Nd4j.getRandom().setSeed(20261201L);
    }

    /** conv(relu) - max pool - conv(relu) - avg pool - dense(relu) - output, no biases anywhere. */
    private static MultiLayerNetwork biasFree(boolean maxPool, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(maxPool ? PoolingType.MAX : PoolingType.AVG).kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).hasBias(false).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(1, 1).build())
                .layer(new DenseLayer.Builder().nOut(6).hasBias(false).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).hasBias(false)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Every non-linearity DeepLIFT rescales, biases, batch norm, average pooling and a residual sum; no maxima. */
    private static ComputationGraph smooth(long seed) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().useLogStd(false).build(), "c1")
                .addLayer("act", new ActivationLayer(Activation.TANH), "bn")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.LEAKYRELU).build(), "act")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c2", "act")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                        .build(), "sum")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.SIGMOID).build(),
                        "pool")
                .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "c3")
                .addLayer("fc", new DenseLayer.Builder().nOut(6).activation(Activation.ELU).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 2)).build());
        g.init();
        TestNets.randomiseBatchNorm(g, seed);
        return g;
    }

    private static InterpretableModel model(org.deeplearning4j.nn.api.Model net) {
        return Models.builder(net).inputSpec(SPEC).build();
    }

    private static INDArray images(int n) {
        return Nd4j.rand(DataType.DOUBLE, n, 2, 8, 8);
    }

    private static INDArray sums(INDArray a) {
        return a.reshape(a.size(0), -1).sum(1);
    }

    /** Within {@code relTol} of the larger of the expected values' magnitude and 1 (logits here are O(1)). */
    private static void assertClose(INDArray expected, INDArray actual, double relTol, String what) {
        double scale = Math.max(1, Transforms.abs(expected).maxNumber().doubleValue());
        double diff = Transforms.abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(diff <= relTol * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }

    @Test
    void lrpZeroOnABiasFreeReluNetworkIsGradientTimesInput() {
        for (boolean maxPool : new boolean[] {true, false}) {
            InterpretableModel m = model(biasFree(maxPool, 3));
            INDArray x = images(4);
            AttributionResult lrp = Lrp.builder(m).rule(LrpRule.zero()).build().attribute(x, Targets.predicted());
            AttributionResult gxi = GradientXInput.of(m).attribute(x, Targets.predicted());
            assertClose(gxi.attributions(), lrp.attributions(), 1e-9, "LRP-0 vs gradient x input, max pool " + maxPool);
            // and it conserves: the relevance sums to the logit
            assertClose(lrp.targetValues(), sums(lrp.attributions()), 1e-9, "conservation");
            assertClose(Nd4j.zeros(DataType.DOUBLE, 4), lrp.convergenceDelta().get(), 1e-9, "reported delta");
        }
    }

    @Test
    void lrpZeroIsGradientTimesInputOnReluNetworksWithBiasesAlsoThroughDl4jsOwnDilatedConvolution() {
        // a dilated convolution runs its rules on a private copy of DL4J's layer (the eager ops cover no dilation)
        InterpretableModel m = Models.builder(TestNets.dilated(DataType.DOUBLE, 4))
                .inputSpec(InputSpec.builder().shape(2, 8, 8).build()).build();
        INDArray x = images(3);
        AttributionResult lrp = Lrp.builder(m).rule(LrpRule.zero()).build().attribute(x, Targets.logit(1));
        AttributionResult gxi = GradientXInput.of(m).attribute(x, Targets.logit(1));
        assertClose(gxi.attributions(), lrp.attributions(), 1e-9, "LRP-0 vs gradient x input, dilated");
        // and the gamma rule there equals its formula on the same layer through the eager ops of a plain conv
        AttributionResult g = Lrp.builder(m).rule(LrpRule.gamma(0.3)).build().attribute(x, Targets.logit(1));
        assertTrue(Double.isFinite(g.attributions().sumNumber().doubleValue()));
    }

    @Test
    void biasFreeDenseAndOutputLayersHaveCorrectGradientsOnBothEngines() {
        for (ExecutionPath path : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            InterpretableModel m = Models.builder(biasFree(true, 2)).inputSpec(SPEC).executionPath(path).build();
            org.deeplearning4j.interpret.check.GradientCheckResult r = org.deeplearning4j.interpret.check
                    .GradientCheck.of(m).run(images(2), Targets.logit(1));
            assertTrue(r.passed(), path + ": " + r.maxRelativeError());
        }
    }

    @Test
    void everyConservingRuleConservesTheLogitOnABiasFreeNetwork() {
        InterpretableModel m = model(biasFree(true, 5));
        INDArray x = images(3);
        // (alpha-beta with beta > 0 conserves only where an output has both positive and negative contributions)
        for (LrpRule r : List.of(LrpRule.epsilon(1e-9), LrpRule.zPlus(), LrpRule.alphaBeta(1, 0),
                LrpRule.gamma(0.25))) {
            AttributionResult a = Lrp.builder(m).rule(r).build().attribute(x, Targets.logit(1));
            assertClose(a.targetValues(), sums(a.attributions()), 1e-8, r + " conservation");
        }
        // the input-layer rules (z^B for pixels in [0, 1], flat, w-square) at the first layer, z+ above: flat and
        // w-square ignore activations, so higher up they would give relevance to units that an activation-based
        // rule below cannot pass on
        for (LrpRule first : List.of(LrpRule.zBox(0, 1), LrpRule.flat(), LrpRule.wSquare())) {
            LrpComposite c = LrpComposite.builder().first(first).convolutions(LrpRule.zPlus())
                    .dense(LrpRule.zero()).build();
            AttributionResult a = Lrp.builder(m).composite(c).build().attribute(x, Targets.logit(2));
            assertClose(a.targetValues(), sums(a.attributions()), 1e-8, first + " conservation");
        }
    }

    @Test
    void theRulesMatchTheirFormulasOnOneDenseLayer() {
        // one output layer on a flattened 1x1x4 input: every rule has a closed form
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(1, 1, 4)).build());
        net.init();
        INDArray w = Nd4j.createFromArray(new double[][] {{1, -2}, {-3, 0.5}, {2, 1}, {0.5, -1}});
        net.getLayer(0).setParam("W", w);
        net.getLayer(0).setParam("b", Nd4j.createFromArray(new double[][] {{0.5, -0.25}}));
        InterpretableModel m = Models.builder(net).inputSpec(InputSpec.builder().shape(4, 1, 1).build()).build();
        double[] a = {0.5, 1.0, -0.5, 2.0};
        INDArray x = Nd4j.createFromArray(a).reshape(1, 4, 1, 1);
        double[] col = {1, -3, 2, 0.5};
        double z = 0.5;
        for (int i = 0; i < 4; i++) {
            z += a[i] * col[i];
        }
        double eps = 0.1;
        double[] expectedEps = new double[4];
        double zPos = 0;
        double zNeg = 0;
        for (int i = 0; i < 4; i++) {
            expectedEps[i] = a[i] * col[i] / (z + eps * Math.signum(z)) * z;
            double c = a[i] * col[i];
            zPos += Math.max(c, 0);
            zNeg += Math.min(c, 0);
        }
        zPos += 0.5; // b+
        double[] expectedA2B1 = new double[4];
        for (int i = 0; i < 4; i++) {
            double c = a[i] * col[i];
            expectedA2B1[i] = (2 * Math.max(c, 0) / zPos - Math.min(c, 0) / zNeg) * z;
        }
        check(m, x, LrpRule.epsilon(eps), expectedEps);
        check(m, x, LrpRule.alphaBeta(2, 1), expectedA2B1);
        double sumW2 = 1 + 9 + 4 + 0.25;
        check(m, x, LrpRule.wSquare(), new double[] {z * 1 / sumW2, z * 9 / sumW2, z * 4 / sumW2, z * 0.25 / sumW2});
        check(m, x, LrpRule.flat(), new double[] {z / 4, z / 4, z / 4, z / 4});
        // gamma 0.5: w + 0.5 w+ = {1.5, -3, 3, 0.75}, bias 0.75
        double[] wg = {1.5, -3, 3, 0.75};
        double zg = 0.75;
        for (int i = 0; i < 4; i++) {
            zg += a[i] * wg[i];
        }
        double[] expectedGamma = new double[4];
        for (int i = 0; i < 4; i++) {
            expectedGamma[i] = a[i] * wg[i] / zg * z;
        }
        check(m, x, LrpRule.gamma(0.5), expectedGamma);
    }

    private static void check(InterpretableModel m, INDArray x, LrpRule rule, double[] expected) {
        INDArray r = Lrp.builder(m).rule(rule).build().attribute(x, Targets.logit(0)).attributions().reshape(-1);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.getDouble(i), 1e-12, rule + " input " + i);
        }
    }

    @Test
    void batchNormFoldingEqualsTheNetworkWithTheNormFoldedByHand() {
        ComputationGraph g = smooth(7);
        InterpretableModel m = model(g);
        INDArray x = images(3);
        LrpComposite c = LrpComposite.builder().convolutions(LrpRule.gamma(0.5)).dense(LrpRule.epsilon(0.01))
                .build();
        AttributionResult withBn = Lrp.builder(m).composite(c).build().attribute(x, Targets.logit(0));
        // the same graph with c1's weights and bias scaled and shifted by bn, and bn made the identity
        ComputationGraph folded = g.clone();
        org.deeplearning4j.nn.api.Layer bn = folded.getLayer("bn");
        INDArray var = bn.getParam("var");
        INDArray std = Transforms.sqrt(var.add(((BatchNormalization) bn.conf().getLayer()).getEps()));
        INDArray scale = bn.getParam("gamma").div(std).reshape(-1);
        INDArray shift = bn.getParam("beta").reshape(-1).sub(bn.getParam("mean").reshape(-1).mul(scale));
        org.deeplearning4j.nn.api.Layer c1 = folded.getLayer("c1");
        INDArray w = c1.getParam("W").dup();
        w.muli(scale.reshape(-1, 1, 1, 1));
        c1.setParam("W", w);
        c1.setParam("b", c1.getParam("b").reshape(-1).mul(scale).add(shift).reshape(1, -1));
        bn.setParam("gamma", Nd4j.onesLike(bn.getParam("gamma")));
        bn.setParam("beta", Nd4j.zerosLike(bn.getParam("beta")));
        bn.setParam("mean", Nd4j.zerosLike(bn.getParam("mean")));
        bn.setParam("var", Nd4j.onesLike(var).subi(((BatchNormalization) bn.conf().getLayer()).getEps()));
        InterpretableModel mf = model(folded);
        assertClose(m.logits(x), mf.logits(x), 1e-9, "the hand-folded network computes the same");
        AttributionResult byHand = Lrp.builder(mf).composite(c).build().attribute(x, Targets.logit(0));
        assertClose(byHand.attributions(), withBn.attributions(), 1e-8, "folded relevance");
    }

    @Test
    void deepLiftSumsToTheChangeOfTheTargetThroughEveryNonLinearity() {
        InterpretableModel m = model(smooth(11));
        INDArray x = images(3);
        INDArray ref = images(3).muli(0.3);
        AttributionResult r = DeepLift.builder(m).baselines(Baselines.image(ref)).build()
                .attribute(x, Targets.predicted());
        int[] cls = Nd4j.argMax(m.logits(x), 1).toIntVector();
        INDArray change = Nd4j.create(DataType.DOUBLE, 3);
        for (int i = 0; i < 3; i++) {
            change.putScalar(i, m.logits(x).getDouble(i, cls[i]) - m.logits(ref).getDouble(i, cls[i]));
        }
        assertClose(change, sums(r.attributions()), 1e-9, "summation to delta");
        assertClose(Nd4j.zeros(DataType.DOUBLE, 3), r.convergenceDelta().get(), 1e-9, "reported delta");
        // the secant differs from the gradient: DeepLIFT is not gradient x (x - ref) on this network
        AttributionResult gxi = GradientXInput.of(m).attribute(x, Targets.logits(cls));
        assertTrue(Transforms.abs(gxi.attributions().sub(r.attributions())).maxNumber().doubleValue() > 1e-6);
    }

    @Test
    void revealCancelSeparatesCancellingInputsAsInThePaperAndSumsToTheChange() {
        // y = relu(x1 - x2) with x = (2, 1.5), reference 0: Rescale gives (2, -1.5); RevealCancel gives the positive
        // part half its effect alone and half its effect after the negative one: dy+ = (2 + 0.5) / 2 = 1.25,
        // dy- = (-1.5 + 0) / 2... = -0.75, so (1.25, -0.75)
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list()
                .layer(new DenseLayer.Builder().nOut(1).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).hasBias(false)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(1, 1, 2)).build());
        net.init();
        net.getLayer(0).setParam("W", Nd4j.createFromArray(new double[][] {{1}, {-1}}));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.DOUBLE, 1, 1));
        net.getLayer(1).setParam("W", Nd4j.createFromArray(new double[][] {{1, 0}}));
        InterpretableModel m = Models.builder(net).inputSpec(InputSpec.builder().shape(2, 1, 1).build()).build();
        INDArray x = Nd4j.createFromArray(2.0, 1.5).reshape(1, 2, 1, 1);
        INDArray rc = DeepLift.builder(m).rule(DeepLift.Rule.REVEAL_CANCEL).build().attribute(x, Targets.logit(0))
                .attributions().reshape(-1);
        assertEquals(1.25, rc.getDouble(0), 1e-12);
        assertEquals(-0.75, rc.getDouble(1), 1e-12);
        INDArray rescale = DeepLift.builder(m).build().attribute(x, Targets.logit(0)).attributions().reshape(-1);
        assertEquals(2.0, rescale.getDouble(0), 1e-12);
        assertEquals(-1.5, rescale.getDouble(1), 1e-12);
        // through every non-linearity, batch norm, sums and pooling of a larger graph: still the change
        InterpretableModel g = model(smooth(29));
        INDArray y = images(3);
        INDArray ref = images(3).muli(0.3);
        AttributionResult r = DeepLift.builder(g).rule(DeepLift.Rule.REVEAL_CANCEL)
                .baselines(Baselines.image(ref)).build().attribute(y, Targets.logit(2));
        INDArray change = g.logits(y).getColumn(2).sub(g.logits(ref).getColumn(2));
        assertClose(change, sums(r.attributions()), 1e-9, "RevealCancel summation to delta");
        assertClose(Nd4j.zeros(DataType.DOUBLE, 3), r.convergenceDelta().get(), 1e-9, "reported delta");
        // and it runs through max pooling, reporting the remainder
        InterpretableModel v = Models.builder(TestNets.vggLike(DataType.DOUBLE, 3)).inputSpec(TestNets.vggSpec())
                .build();
        AttributionResult vr = DeepLift.builder(v).rule(DeepLift.Rule.REVEAL_CANCEL).build()
                .attribute(Nd4j.rand(DataType.DOUBLE, 2, 3, 12, 12), Targets.logit(1));
        assertTrue(Double.isFinite(vr.convergenceDelta().get().sumNumber().doubleValue()));
    }

    @Test
    void deepLiftWithAZeroReferenceOnABiasFreeReluNetworkIsGradientTimesInput() {
        InterpretableModel m = model(biasFree(false, 13));
        INDArray x = images(2);
        AttributionResult dl = DeepLift.builder(m).build().attribute(x, Targets.logit(2));
        AttributionResult gxi = GradientXInput.of(m).attribute(x, Targets.logit(2));
        assertClose(gxi.attributions(), dl.attributions(), 1e-9, "DeepLIFT vs gradient x input");
    }

    @Test
    void deepLiftReportsTheMaxPoolingRemainderAsItsConvergenceDelta() {
        InterpretableModel m = Models.builder(TestNets.vggLike(DataType.DOUBLE, 3)).inputSpec(TestNets.vggSpec())
                .build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, 12, 12);
        INDArray ref = Nd4j.rand(DataType.DOUBLE, 3, 3, 12, 12);
        AttributionResult r = DeepLift.builder(m).baselines(Baselines.image(ref)).build().attribute(x,
                Targets.logit(1));
        INDArray change = m.logits(x).getColumn(1).sub(m.logits(ref).getColumn(1));
        assertClose(sums(r.attributions()).sub(change), r.convergenceDelta().get(), 1e-9, "the reported delta");
        // where every window's maximum sits at the same place for input and reference there is no gap: a bias-free
        // ReLU network is positively homogeneous, so a scaled input keeps every arg-max
        InterpretableModel h = model(biasFree(true, 9));
        INDArray y = images(3);
        AttributionResult scaled = DeepLift.builder(h).baselines(Baselines.image(y.mul(0.6))).build().attribute(y,
                Targets.logit(0));
        assertClose(Nd4j.zeros(DataType.DOUBLE, 3), scaled.convergenceDelta().get(), 1e-9, "no arg-max moved");
        assertClose(h.logits(y).getColumn(0).mul(0.4), sums(scaled.attributions()), 1e-9, "summation to delta");
    }

    @Test
    void deepLiftShapSumsToTheInputsValueLessTheMeanOverTheBackground() {
        InterpretableModel m = model(smooth(17));
        INDArray x = images(2);
        INDArray background = images(5).muli(0.5);
        AttributionResult r = DeepLiftShap.of(m, background).attribute(x, Targets.logit(1));
        double mean = m.logits(background).getColumn(1).meanNumber().doubleValue();
        INDArray expected = m.logits(x).getColumn(1).sub(mean);
        assertClose(expected, sums(r.attributions()), 1e-9, "DeepLIFT-SHAP efficiency");
    }

    @Test
    void resultsDoNotDependOnBatchCompositionEngineOrCallHistory() {
        MultiLayerNetwork net = TestNets.vggLike(DataType.DOUBLE, 21);
        InterpretableModel fast = Models.builder(net).inputSpec(TestNets.vggSpec()).executionPath(ExecutionPath.SAMEDIFF)
                .maxBatchSize(2).build();
        InterpretableModel slow = Models.builder(net).inputSpec(TestNets.vggSpec())
                .executionPath(ExecutionPath.DL4J_LAYERS).build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 3, 12, 12);
        LrpComposite c = LrpComposite.montavon(0, 1);
        INDArray all = Lrp.builder(fast).composite(c).build().attribute(x, Targets.predicted()).attributions();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int call = 0; call < 6; call++) {
            // a random earlier call with another rule, then one example alone, on either engine
            InterpretableModel m = rng.nextBoolean() ? fast : slow;
            Lrp.builder(m).rule(rng.nextBoolean() ? LrpRule.zPlus() : LrpRule.flat()).build()
                    .attribute(Nd4j.rand(DataType.DOUBLE, 1 + rng.nextInt(3), 3, 12, 12), Targets.logit(0));
            DeepLift.builder(m).build().attribute(x.get(NDArrayIndex.interval(0, 2)), Targets.logit(1));
            int i = rng.nextInt(5);
            INDArray one = Lrp.builder(m).composite(c).build()
                    .attribute(x.get(NDArrayIndex.interval(i, i + 1)), Targets.predicted()).attributions();
            assertClose(all.get(NDArrayIndex.interval(i, i + 1)), one, 1e-10, "example " + i + " call " + call);
        }
    }

    @Test
    void theUsersNetworkIsUntouched() {
        ComputationGraph g = smooth(23);
        INDArray before = g.params().dup();
        InterpretableModel m = model(g);
        INDArray x = images(2);
        for (LrpComposite c : List.of(LrpComposite.montavon(0, 1), LrpComposite.epsilonAlpha2Beta1(),
                LrpComposite.uniform(LrpRule.flat()), LrpComposite.epsilonGammaBox(0, 1))) {
            Lrp.builder(m).composite(c).build().attribute(x, Targets.predicted());
        }
        DeepLift.builder(m).build().attribute(x, Targets.predicted());
        assertEquals(before, g.params());
    }

    @Test
    void unsupportedModelsLayersTargetsAndNamesAreRefusedWithClearMessages() {
        InterpretException e = assertThrows(InterpretException.class, () -> Lrp.of(model(
                TestNets.withUnsupportedLayer(DataType.DOUBLE, 1))).attribute(Nd4j.rand(DataType.DOUBLE, 1, 2, 8, 8),
                Targets.predicted()));
        assertTrue(e.getMessage().contains("LocalResponseNormalization"), e.getMessage());
        InterpretableModel m = model(biasFree(true, 1));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> Lrp.of(m).attribute(images(1), Targets.predictedProbability()));
        assertTrue(p.getMessage().contains("linear read-out"), p.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Lrp.builder(m)
                .composite(LrpComposite.builder().layer("nope", LrpRule.flat()).build()).build()
                .attribute(images(1), Targets.predicted()));
        assertTrue(n.getMessage().contains("'nope'"), n.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrpRule.alphaBeta(2, 0));
        assertThrows(IllegalArgumentException.class, () -> LrpRule.zBox(1, 0));
        assertThrows(IllegalArgumentException.class, () -> DeepLift.builder(m).baselines().build());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> DeepLift.builder(m)
                .baselines(Baselines.image(Nd4j.rand(DataType.DOUBLE, 1, 2, 4, 4))).build()
                .attribute(images(1), Targets.predicted()));
        assertTrue(s.getMessage().contains("does not match"), s.getMessage());
    }

    @Test
    void revealCancelIsRefusedWhereItsPartsLoseTheirPrecisionInADeepFloatNetwork() {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU).list();
        for (int i = 0; i < 40; i++) {
            b.layer(new DenseLayer.Builder().nOut(48).activation(Activation.RELU).build());
        }
        MultiLayerConfiguration conf = b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                .activation(Activation.SOFTMAX).build()).setInputType(InputType.convolutional(4, 4, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        InterpretableModel m = Models.builder(net).inputSpec(InputSpec.builder().shape(1, 4, 4).build()).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4);
        InterpretException e = assertThrows(InterpretException.class, () -> DeepLift.builder(m)
                .rule(DeepLift.Rule.REVEAL_CANCEL).build().attribute(x, Targets.logit(0)));
        assertTrue(e.getMessage().contains("precision") && e.getMessage().contains("Rescale"), e.getMessage());
        AttributionResult rescale = DeepLift.builder(m).build().attribute(x, Targets.logit(0));
        assertTrue(rescale.attributions().amaxNumber().doubleValue() > 0);
    }
}
