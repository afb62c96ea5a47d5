package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pointing game on held-out synthetic images: the map's maximum must fall inside the object's mask (dilated by
 * {@value #TOLERANCE} pixel, the usual pointing-game tolerance scaled to 32x32 images) far more often than chance.
 */
class LocalizationTest {
    private static final Logger log = LoggerFactory.getLogger(LocalizationTest.class);
    private static final int N = 60;
    private static final int TOLERANCE = 1;

    private static MultiLayerNetwork net;
    private static SyntheticShapes.Sample test;
    private static InterpretableModel model;
    private static double chance;

    @BeforeAll
    static void train() {
        net = TrainedShapes.network();
        test = TrainedShapes.heldOut(N);
        model = Models.of(net);
        chance = dilated(test.masks()).meanNumber().doubleValue();
    }

    static double pointingRate(AttributionResult r, INDArray masks) {
        int hits = 0;
        for (int i = 0; i < r.size(); i++) {
            INDArray m = r.map(i);
            long arg = m.reshape(m.length()).argMax().getLong(0);
            hits += masks.getDouble(i, arg / m.size(1), arg % m.size(1)) > 0 ? 1 : 0;
        }
        return hits / (double) r.size();
    }

    static INDArray dilated(INDArray masks) {
        INDArray out = masks.dup();
        long h = masks.size(1);
        long w = masks.size(2);
        for (int i = 0; i < masks.size(0); i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (masks.getDouble(i, y, x) > 0) {
                        for (int dy = -TOLERANCE; dy <= TOLERANCE; dy++) {
                            for (int dx = -TOLERANCE; dx <= TOLERANCE; dx++) {
                                int yy = y + dy;
                                int xx = x + dx;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                    out.putScalar(new long[] {i, yy, xx}, 1.0);
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static double pointingRate(AttributionResult r) {
        return pointingRate(r, dilated(test.masks()));
    }

    @Test
    void trainedModelClassifiesHeldOutShapes() {
        double acc = ShapesCnn.accuracy(net, TrainedShapes.heldOut(300));
        log.info("held-out accuracy {}", acc);
        assertTrue(acc >= 0.85, "held-out accuracy " + acc + " < 0.85: the fixture model did not learn the shapes");
    }

    @Test
    void occlusionMaximumFallsInsideTheObjectFarAboveChance() {
        AttributionResult r = Occlusion.builder(model).window(6).stride(2).build()
                .attribute(test.features(), Targets.logits(test.classes()));
        double rate = pointingRate(r);
        log.info("occlusion pointing game: {} (chance {})", rate, chance);
        assertTrue(rate >= 0.8 && rate > 3 * chance, "occlusion pointing rate " + rate + " (chance " + chance + ")");
    }

    @Test
    void gradientXInputMaximumFallsInsideTheObjectFarAboveChance() {
        AttributionResult r = GradientXInput.of(model, ChannelReduction.SUM_ABS)
                .attribute(test.features(), Targets.logits(test.classes()));
        double rate = pointingRate(r);
        log.info("gradient x input pointing game: {} (chance {})", rate, chance);
        assertTrue(rate >= 0.6 && rate > 3 * chance, "gradient x input pointing rate " + rate + " (chance " + chance + ")");
    }

    @Test
    void saliencyMaximumFallsInsideTheObjectAboveChance() {
        AttributionResult r = Saliency.of(model).attribute(test.features(), Targets.logits(test.classes()));
        double rate = pointingRate(r);
        log.info("saliency pointing game: {} (chance {})", rate, chance);
        assertTrue(rate > 2 * chance, "saliency pointing rate " + rate + " (chance " + chance + ")");
    }
}
