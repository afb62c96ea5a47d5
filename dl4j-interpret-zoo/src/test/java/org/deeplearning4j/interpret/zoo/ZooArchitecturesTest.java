package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Focused checks on the real zoo architectures (random He weights; no download). */
class ZooArchitecturesTest {

    private static INDArray imagenetLikeInput(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, 1, 3, 224, 224).muli(255).subi(115);
    }

    private static void runsEntirelyOnTheFastPathAndMatchesDl4j(ComputationGraph g, String name) {
        InterpretableModel m = Zoo.get(name.toLowerCase(java.util.Locale.ROOT)).interpretable(g);
        assertEquals(ExecutionPath.SAMEDIFF, m.executionPath(), name + " fell back: " + m.spi().fallbackLayers());
        INDArray x = imagenetLikeInput(1);
        INDArray logits = m.logits(x);
        INDArray ours = Transforms.softmax(logits, true);
        INDArray dl4j = g.outputSingle(false, x);
        double maxDiff = ours.sub(dl4j).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-4, name + ": softmax(logits) differs from DL4J's output by " + maxDiff);
        AttributionResult s = Saliency.of(m).attribute(x, Targets.predicted());
        double norm = s.map().norm2Number().doubleValue();
        assertTrue(Double.isFinite(norm) && norm > 0, name + " saliency norm " + norm);
    }

    @Test
    void resnet50RunsEntirelyOnTheFastPathAndMatchesDl4jsOwnInference() {
        runsEntirelyOnTheFastPathAndMatchesDl4j(Zoo.resnet50().randomInit(42), "ResNet50");
    }

    @Test
    void lrpAndDeepLiftRunOnTheZooArchitecturesAndAccountForTheLogit() {
        for (String name : new String[] {"VGG16", "ResNet50"}) {
            ComputationGraph g = name.equals("VGG16") ? Zoo.vgg16().randomInit(42) : Zoo.resnet50().randomInit(42);
            InterpretableModel m = Zoo.get(name.toLowerCase(java.util.Locale.ROOT)).interpretable(g);
            INDArray x = imagenetLikeInput(2);
            long t = System.nanoTime();
            AttributionResult lrp = org.deeplearning4j.interpret.attribution.Lrp.builder(m)
                    .composite(org.deeplearning4j.interpret.gradient.LrpComposite.epsilonPlus()).build()
                    .attribute(x, Targets.predicted());
            double lrpS = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            AttributionResult dl = org.deeplearning4j.interpret.attribution.DeepLift.builder(m).build()
                    .attribute(x, Targets.predicted());
            double dlS = (System.nanoTime() - t) / 1e9;
            org.slf4j.LoggerFactory.getLogger(ZooArchitecturesTest.class).info("{}: LRP {} s, DeepLIFT {} s", name, lrpS, dlS);
            assertTrue(Double.isFinite(lrp.map().norm2Number().doubleValue()) && lrp.map().norm2Number().doubleValue() > 0,
                    name + " LRP map");
            double logit = dl.targetValues().getDouble(0);
            double gap = dl.convergenceDelta().get().getDouble(0);
            // the reported gap is what the max-pooling rule leaves over; it must be reported, finite and smaller
            // than the change explained
            double change = dl.attributions().sumNumber().doubleValue() - gap;
            assertTrue(Double.isFinite(gap) && Math.abs(gap) < Math.abs(change) + 1e-3, name + " DeepLIFT gap " + gap
                    + " for a change of " + change + " (logit " + logit + ")");
        }
    }

    @Test
    void vgg16RunsEntirelyOnTheFastPathAndMatchesDl4jsOwnInference() {
        ComputationGraph g = Zoo.vgg16().randomInit(42);
        runsEntirelyOnTheFastPathAndMatchesDl4j(g, "VGG16");
        // receptive fields: conv5_3 (layer "16", 14x14) sees 196x196 pixels; pool5 ("17") 212x212
        InterpretableModel m = Zoo.vgg16().interpretable(g);
        assertEquals(196, m.receptiveField("16", 7, 7).height());
        assertEquals(196, m.receptiveField("16", 7, 7).width());
        assertEquals(212, m.receptiveField("17", 3, 3).height());
        assertEquals(-90, m.receptiveField("16", 0, 0).top());
    }

    @Test
    void pretrainedLoadingThatCannotReachTheWeightsFailsWithInstructions() throws Exception {
        // Point DL4J's downloader at a closed local port and an empty cache: nothing is downloaded in tests.
        java.io.File cache = java.nio.file.Files.createTempDirectory("dl4j-interpret-cache").toFile();
        String previousUrl = org.deeplearning4j.common.resources.DL4JResources.getBaseDownloadURL();
        org.deeplearning4j.common.resources.DL4JResources.setBaseDirectory(cache);
        org.deeplearning4j.common.resources.DL4JResources.setBaseDownloadURL("http://127.0.0.1:9/");
        try {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> Zoo.resnet50().pretrained());
            assertTrue(e.getMessage().contains("resnet50_dl4j_inference.v3.zip"), e.getMessage());
        } finally {
            org.deeplearning4j.common.resources.DL4JResources.resetBaseDirectoryLocation();
            org.deeplearning4j.common.resources.DL4JResources.setBaseDownloadURL(previousUrl);
        }
    }
}
