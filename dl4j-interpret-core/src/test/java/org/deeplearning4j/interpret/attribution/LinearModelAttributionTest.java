package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.LinearModels;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On logits = w.x + b every method has a closed-form answer. */
class LinearModelAttributionTest {

    /** Every test starts from the same ND4J random state, so random inputs are reproducible. */
    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(20261125L);
    }
    private static final int C = 2;
    private static final int H = 4;
    private static final int W = 6;
    private static final int CLS = 1;

    private static INDArray weightImage(MultiLayerNetwork net) {
        // OutputLayer W is [C*H*W, classes]; the CNN-to-dense preprocessor flattens NCHW in C order
        return net.getLayer(0).getParam("W").getColumn(CLS).dup().reshape(1, C, H, W);
    }

    private static InterpretableModel model(MultiLayerNetwork net, ExecutionPath p) {
        return Models.builder(net).executionPath(p).build();
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void saliencyEqualsAbsoluteWeightsOnLinearModel(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 1);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, C, H, W);
        AttributionResult r = Saliency.of(model(net, p)).attribute(x, Targets.logit(CLS));
        INDArray absW = Transforms.abs(weightImage(net), true);
        for (int i = 0; i < 2; i++) {
            assertTrue(r.attributions().slice(i).equalsWithEps(absW.slice(0), 1e-12), "attribution != |w|");
            assertTrue(r.map(i).equalsWithEps(absW.slice(0).max(0), 1e-12), "map != max_c |w|");
        }
        AttributionResult signed = Saliency.builder(model(net, p)).signed(true).build().attribute(x, Targets.logit(CLS));
        assertTrue(signed.attributions().slice(0).equalsWithEps(weightImage(net).slice(0), 1e-12));
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void gradientXInputEqualsWeightTimesInputOnLinearModel(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, C, H, W).subi(0.5);
        AttributionResult r = GradientXInput.of(model(net, p)).attribute(x, Targets.logit(CLS));
        INDArray expected = x.dup();
        for (int i = 0; i < 3; i++) {
            expected.slice(i).muli(weightImage(net).slice(0));
        }
        assertTrue(r.attributions().equalsWithEps(expected, 1e-12), "gxi != w*x");
        assertTrue(r.map().equalsWithEps(expected.sum(1), 1e-12), "map != sum_c w*x");
        // completeness for a linear model with zero bias contribution: sum of attributions = logit - b
        double b = net.getLayer(0).getParam("b").getDouble(0, CLS);
        INDArray logits = model(net, p).logits(x);
        for (int i = 0; i < 3; i++) {
            assertEquals(logits.getDouble(i, CLS) - b, r.attributions().slice(i).sumNumber().doubleValue(), 1e-10);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void occlusionEqualsHandComputedDifferencesOnLinearModel(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, C, H, W);
        double baseline = 0.25;
        AttributionResult r = Occlusion.builder(model(net, p)).window(2).stride(2).baselineValue(baseline).maxBatchSize(4)
                .build().attribute(x, Targets.logit(CLS));
        INDArray w = weightImage(net).slice(0);
        for (int i = 0; i < 2; i++) {
            for (int y = 0; y < H; y += 2) {
                for (int xx = 0; xx < W; xx += 2) {
                    double delta = 0; // logit(x) - logit(x occluded) = sum over the window of w * (x - baseline)
                    for (int c = 0; c < C; c++) {
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                delta += w.getDouble(c, y + dy, xx + dx) * (x.getDouble(i, c, y + dy, xx + dx) - baseline);
                            }
                        }
                    }
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            assertEquals(delta, r.map(i).getDouble(y + dy, xx + dx), 1e-10);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void overlappingOcclusionWindowsAverageTheirDifferences(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(1, 4, 4, 2, 4);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 1, 4, 4);
        AttributionResult r = Occlusion.builder(model(net, p)).window(2).stride(1).baselineValue(0).build()
                .attribute(x, Targets.logit(CLS));
        INDArray w = net.getLayer(0).getParam("W").getColumn(CLS).dup().reshape(4, 4);
        INDArray wx = w.mul(x.reshape(4, 4));
        // pixel (1,1) is covered by the four windows starting at (0,0), (0,1), (1,0), (1,1)
        double expected = 0;
        for (int y0 = 0; y0 <= 1; y0++) {
            for (int x0 = 0; x0 <= 1; x0++) {
                expected += wx.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(y0, y0 + 2),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(x0, x0 + 2)).sumNumber().doubleValue();
            }
        }
        assertEquals(expected / 4, r.map(0).getDouble(1, 1), 1e-10);
        // corner (0,0) is covered by one window
        assertEquals(wx.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).sumNumber().doubleValue(),
                r.map(0).getDouble(0, 0), 1e-10);
    }
}
