package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.LinearModels;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GradientSHAP on a linear model, where every draw gives w * (x - b) and the delta is zero. */
class GradientShapTest {
    private static final int C = 2;
    private static final int H = 3;
    private static final int W = 5;
    private static final int CLS = 0;

    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        Nd4j.getRandom().setSeed(20261202L);
    }

    private static INDArray weights(MultiLayerNetwork net) {
        return net.getLayer(0).getParam("W").getColumn(CLS).dup().reshape(1, C, H, W);
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void withOneBaselineAndNoNoiseEveryDrawGivesWeightTimesDifference(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 2, 11);
        InterpretableModel model = Models.builder(net).executionPath(p).build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, C, H, W);
        AttributionResult r = GradientShap.builder(model).baselines(Baselines.constant(0.3)).samples(9).build()
                .attribute(x, Targets.logit(CLS));
        INDArray expected = x.sub(0.3).muli(Nd4j.repeat(weights(net), 2).reshape(2, C, H, W));
        assertTrue(r.attributions().equalsWithEps(expected, 1e-10));
        assertEquals(0, r.convergenceDelta().get().amaxNumber().doubleValue(), 1e-10);
    }

    @Test
    void referenceImagesAreABaselineDistributionAndTheDeltaCountsTheDrawnOnes() {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 2, 12);
        InterpretableModel model = Models.of(net);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, C, H, W);
        INDArray refs = Nd4j.rand(DataType.DOUBLE, 4, C, H, W);
        AttributionResult r = GradientShap.builder(model).referenceImages(refs).samples(200).build()
                .attribute(x, Targets.logit(CLS));
        assertEquals(0, r.convergenceDelta().get().getDouble(0), 1e-9);
        // with many draws the attributions approach w * (x - mean reference)
        INDArray expected = x.sub(refs.mean(0)).muli(weights(net));
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(r.attributions().sub(expected).amaxNumber().doubleValue() < 0.25 * scale);
        assertTrue(r.options().get("baselines").contains("4 reference images"));
    }

    @Test
    void theSeedDecidesTheNoiseAndBadOptionsAreRefused() {
        InterpretableModel model = Models.of(LinearModels.linear(C, H, W, 2, 13));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, C, H, W);
        INDArray a = GradientShap.builder(model).noiseStdev(0.2).seed(1).build().attribute(x, Targets.logit(0))
                .attributions();
        INDArray b = GradientShap.builder(model).noiseStdev(0.2).seed(1).build().attribute(x, Targets.logit(0))
                .attributions();
        INDArray c = GradientShap.builder(model).noiseStdev(0.2).seed(2).build().attribute(x, Targets.logit(0))
                .attributions();
        assertEquals(a, b);
        assertFalse(a.equalsWithEps(c, 1e-12));
        assertThrows(IllegalArgumentException.class, () -> GradientShap.builder(model).samples(0).build());
        assertThrows(IllegalArgumentException.class, () -> GradientShap.builder(model).noiseStdev(-1).build());
        assertThrows(IllegalArgumentException.class, () -> GradientShap.builder(model).baselines().build());
        assertThrows(IllegalArgumentException.class,
                () -> GradientShap.builder(model).referenceImages(Nd4j.rand(DataType.DOUBLE, 3, 5)).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientShap.builder(model)
                .referenceImages(Nd4j.rand(DataType.DOUBLE, 2, C, H + 1, W)).build().attribute(x, Targets.logit(0)));
        assertTrue(e.getMessage().contains("reference") || e.getMessage().contains("size"), e.getMessage());
    }
}
