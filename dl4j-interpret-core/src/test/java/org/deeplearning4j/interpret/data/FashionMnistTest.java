package org.deeplearning4j.interpret.data;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The methods on real data: a small CNN trained for a few seconds on Fashion-MNIST (Debian's dataset-fashion-mnist,
 * installed by .ci/run). Items sit on a black background, which gives a ground-truth object mask (pixels > 0).
 */
class FashionMnistTest {
    private static final Logger log = LoggerFactory.getLogger(FashionMnistTest.class);
    private static MultiLayerNetwork net;
    private static InterpretableModel model;
    private static DataSet test;

    @BeforeAll
    static void train() {
        net = org.deeplearning4j.interpret.testing.TrainedFashionMnist.network();
        test = org.deeplearning4j.interpret.testing.TrainedFashionMnist.test();
        // black means "nothing here" on this data: the default occlusion patch and grey baseline follow the spec
        model = org.deeplearning4j.interpret.testing.TrainedFashionMnist.model();
    }

    @Test
    void aSmallCnnLearnsFashionMnistInSeconds() {
        int[] pred = net.predict(test.getFeatures());
        int ok = 0;
        for (int i = 0; i < pred.length; i++) {
            ok += test.getLabels().getDouble(i, pred[i]) > 0 ? 1 : 0;
        }
        double acc = ok / (double) pred.length;
        log.info("Fashion-MNIST held-out accuracy after 2 epochs on 6000 images: {}", acc);
        // measured 0.685 (chance 0.1); the point is a trained model to interpret, not a state-of-the-art one
        assertTrue(acc > 0.6, "accuracy " + acc);
    }

    /**
     * Occlusion with a black patch peaks on the item (measured 0.94; items cover 47% of the pixels). Not asserted,
     * as measured on this 2-epoch model: gradient saliency peaks on the background next to the item in most images
     * (0.2: it measures sensitivity to brightening a pixel, not evidence) and Grad-CAM at the 7x7 last layer is
     * near the item-area rate (0.56).
     */
    @Test
    void mapsPointAtTheItemNotTheBlackBackground() {
        INDArray x = test.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 50));
        INDArray mask = x.gt(0.0).castTo(x.dataType()).reshape(50, 28, 28);
        double chance = mask.meanNumber().doubleValue();
        for (AttributionResult r : new AttributionResult[] {
            // the default patch is the spec's neutral value (black here); a mid-grey patch on the black background
            // adds evidence and the map then peaks off the item (measured 0.08)
            Occlusion.builder(model).window(4).stride(2).build().attribute(x, Targets.predicted())}) {
            int hits = 0;
            for (int i = 0; i < 50; i++) {
                INDArray m = r.map(i);
                long arg = m.reshape(m.length()).argMax().getLong(0);
                hits += mask.getDouble(i, arg / 28, arg % 28) > 0 ? 1 : 0;
            }
            double rate = hits / 50.0;
            log.info("Fashion-MNIST pointing game {}: {} (item pixels: {})", r.method(), rate, chance);
            assertTrue(rate >= 0.8, r.method() + " pointing rate " + rate);
        }
    }

    /**
     * Measured gaps with 50 Gauss-Legendre steps from the black baseline: up to ~1%. The network is trained in the
     * test, so its weights (and the ReLU kinks each path crosses) differ between CPUs; the quadrature error shrinks
     * like 1/steps, so 200 steps (about a quarter of that gap) are asserted below 2% on any machine.
     */
    @Test
    void integratedGradientsIsCompleteOnRealData() {
        INDArray x = test.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6));
        AttributionResult r = IntegratedGradients.builder(model).steps(200).baselines(Baselines.zeros()).build()
                .attribute(x, Targets.predicted());
        INDArray f0 = model.values(x.mul(0), Targets.logits(model.logits(x).argMax(1).toIntVector()));
        for (int i = 0; i < 6; i++) {
            double gap = Math.abs(r.convergenceDelta().get().getDouble(i));
            double total = Math.abs(r.targetValues().getDouble(i) - f0.getDouble(i));
            log.info("Fashion-MNIST IG completeness gap {}: {}", i, gap / total);
            assertTrue(gap < 0.02 * total, "gap " + gap / total + " of |f(x) - f(0)|");
        }
    }

    @Test
    void missingFilesGetAClearError() {
        String m = assertThrows(IOException.class, () -> FashionMnist.load(new File("/nonexistent"), false, 1))
                .getMessage();
        assertTrue(m.contains("t10k-images-idx3-ubyte") && m.contains("/nonexistent"), m);
    }
}
