package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "lines in your code" example, verbatim apart from the output folder: it must compile and run. */
class ReadmeSnippetTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAndWritesAnOverlayReportAndMaps() throws Exception {
        MultiLayerNetwork net = ShapesCnn.build(64, 1);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        File out = dir.toFile();
        // --- README ---
        InterpretableModel model = Models.builder(net)                      // MultiLayerNetwork or ComputationGraph
                .inputSpec(InputSpec.builder().shape(3, 64, 64).pixelRange(0, 1).build()).build();
        AttributionResult sal = Saliency.of(model).attribute(images, Targets.predicted());
        AttributionResult gxi = GradientXInput.of(model).attribute(images, Targets.logit(3));
        AttributionResult occ = Occlusion.builder(model).window(16).stride(8).build()
                .attribute(images, Targets.predictedProbability());
        BufferedImage input = Heatmaps.inputImage(images.slice(0), model.inputSpec());
        BufferedImage overlay = Heatmaps.overlayFigure(input, sal, 0, "saliency", 224); // heatmap over input + colour bar
        Heatmaps.writePng(overlay, new File(out, "sal.png"));
        HtmlReport.builder("My model").section("Saliency", "").image(input, "input").image(overlay, "saliency").build()
                .write(new File(out, "report.html"));
        occ.saveMapNpy(new File(out, "occlusion.npy"));
        // --- end ---
        assertTrue(gxi.isSigned());
        assertTrue(overlay.getWidth() >= 224 + 16, "enlarged, with a colour bar");
        assertTrue(Files.readString(new File(out, "report.html").toPath()).split("<img", -1).length - 1 == 2);
        assertArrayEquals(new long[] {2, 64, 64}, Npy.read(new File(out, "occlusion.npy")).shape());
    }
}
