package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a clear error naming what was expected, what came and how to fix it; nothing is corrupted. */
class BadInputTest {

    /** Every test starts from the same ND4J random state, so random inputs are reproducible. */
    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(20261125L);
    }
    private final MultiLayerNetwork net = TestNets.vggLike(DataType.FLOAT, 1);
    private final InterpretableModel model = Models.builder(net).inputSpec(TestNets.vggSpec()).build();
    private final INDArray good = Nd4j.rand(DataType.FLOAT, 2, 3, 12, 12);

    private String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void wrongRankIsRejectedWithTheExpectedShape() {
        String m = message(() -> Saliency.of(model).attribute(Nd4j.rand(DataType.FLOAT, 3, 12, 12), Targets.predicted()));
        assertTrue(m.contains("rank 4") && m.contains("[N, 3, 12, 12]") && m.contains("reshape(1, c, h, w)"), m);
    }

    @Test
    void wrongChannelCountIsRejectedAndNhwcIsRecognised() {
        String m = message(() -> model.logits(Nd4j.rand(DataType.FLOAT, 1, 1, 12, 12)));
        assertTrue(m.contains("Expected 3 input channels, got 1"), m);
        String nhwc = message(() -> model.logits(Nd4j.rand(DataType.FLOAT, 1, 12, 12, 3)));
        assertTrue(nhwc.contains("permute(0, 3, 1, 2)"), nhwc);
    }

    @Test
    void wrongImageSizeIsRejected() {
        String m = message(() -> model.logits(Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16)));
        assertTrue(m.contains("12x12") && m.contains("16x16"), m);
    }

    @Test
    void anInputTheModelPreparedIsCheckedAgainWhenPassedBackButNotCopiedAgain() {
        INDArray prepared = model.spi().prepareInput(good);
        assertNotSame(good, prepared, "the caller's array must be copied");
        assertSame(prepared, model.spi().prepareInput(prepared));
        prepared.putScalar(new long[] {0, 1, 2, 3}, Float.NaN);
        assertTrue(message(() -> model.spi().prepareInput(prepared)).contains("NaN"));
        assertTrue(message(() -> Saliency.of(model).attribute(prepared, Targets.predicted())).contains("NaN"));
    }

    @Test
    void finiteValuesWhoseSumOverflowsAreNotMistakenForInfinity() {
        INDArray huge = Nd4j.valueArrayOf(new long[] {1, 3, 12, 12}, 3e38f);
        assertEquals(huge, model.spi().prepareInput(huge));
        huge.putScalar(new long[] {0, 2, 11, 11}, -3e38f);
        huge.putScalar(new long[] {0, 0, 0, 0}, Float.NaN);
        assertTrue(message(() -> model.spi().prepareInput(huge)).contains("NaN"));
    }

    @Test
    void nanAndInfinitePixelsAreRejected() {
        INDArray x = good.dup();
        x.putScalar(new long[] {1, 2, 3, 4}, Float.NaN);
        assertTrue(message(() -> Saliency.of(model).attribute(x, Targets.predicted())).contains("NaN"));
        INDArray y = good.dup();
        y.putScalar(new long[] {0, 0, 0, 0}, Float.POSITIVE_INFINITY);
        assertTrue(message(() -> model.logits(y)).contains("infinite"));
    }

    @Test
    void classIndexOutOfRangeNamesTheValidRange() {
        String m = message(() -> Saliency.of(model).attribute(good, Targets.logit(3)));
        assertTrue(m.contains("Class index 3") && m.contains("0..2"), m);
        String p = message(() -> Saliency.of(model).attribute(good, Targets.probability(7)));
        assertTrue(p.contains("Class index 7"), p);
        assertTrue(message(() -> Occlusion.of(model).attribute(good, Targets.logit(-1))).contains("Class index -1"));
    }

    @Test
    void unknownLayerNameListsTheValidNames() {
        String m = message(() -> model.gradient(good, Targets.channel("conv9", 0)));
        assertTrue(m.contains("Unknown layer 'conv9'") && m.contains("layer0") && m.contains("layer6"), m);
        ComputationGraph g = TestNets.resnetLike(DataType.FLOAT, 1);
        String gm = message(() -> Models.of(g).activations(Nd4j.rand(DataType.FLOAT, 1, 3, 10, 10), "nope"));
        assertTrue(gm.contains("stem_bn") && gm.contains("merge"), gm);
    }

    @Test
    void channelOutOfRangeIsRejected() {
        String m = message(() -> model.gradient(good, Targets.channel("layer0", 4)));
        assertTrue(m.contains("Channel 4") && m.contains("0..3"), m);
    }

    @Test
    void emptyBatchIsRejected() {
        String m = message(() -> model.logits(Nd4j.create(DataType.FLOAT, 0, 3, 12, 12)));
        assertTrue(m.contains("Empty batch"), m);
    }

    @Test
    void perExampleClassesMustMatchTheBatch() {
        String m = message(() -> Saliency.of(model).attribute(good, Targets.logits(new int[] {0, 1, 2})));
        assertTrue(m.contains("3 per-example classes") && m.contains("2 examples"), m);
    }

    @Test
    void badOptionsAreRejectedAtBuildTime() {
        assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(model).window(0).build());
        assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(model).baselineValue(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> Models.builder(net).maxBatchSize(0).build());
        String m = message(() -> Occlusion.builder(model).window(20).build().attribute(good, Targets.predicted()));
        assertTrue(m.contains("larger than the input"), m);
    }

    @Test
    void failedCallsLeaveTheModelWorking() {
        INDArray before = model.logits(good);
        INDArray bad = good.dup();
        bad.putScalar(0, Float.NaN);
        assertThrows(IllegalArgumentException.class, () -> Saliency.of(model).attribute(bad, Targets.predicted()));
        assertThrows(IllegalArgumentException.class, () -> Saliency.of(model).attribute(good, Targets.logit(9)));
        assertEquals(before, model.logits(good));
        assertEquals(before.shape()[0], Saliency.of(model).attribute(good, Targets.predicted()).size());
    }
}
