package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.io.ImageLoader;
import org.deeplearning4j.interpret.model.ClassNames;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zoo's metadata, weights loading and image loading (random weights; nothing is downloaded). */
class ZooEntryTest {

    /** Every entry: random weights, forward, saliency and Grad-CAM at its input size; layer maps name real vertices. */
    @Test
    void everyEntryBuildsRunsForwardSaliencyAndGradCamAndItsLayerNamesPointAtVerticesOfTheRightKind() {
        for (ZooEntry e : Zoo.all()) {
            ComputationGraph g = e.randomInit(3);
            InterpretableModel m = e.interpretable(g);
            InputSpec s = e.inputSpec();
            Nd4j.getRandom().setSeed(1);
            INDArray display = Nd4j.rand(DataType.FLOAT, 1, s.channels(), s.height(), s.width());
            INDArray x = s.toModelInput(display);
            INDArray logits = m.logits(x);
            assertEquals(e.classNames().size(), logits.size(1), e.name() + " classes");
            assertTrue(Double.isFinite(logits.sumNumber().doubleValue()), e.name() + " logits finite");
            AttributionResult sal = Saliency.of(m).attribute(x, Targets.predicted());
            assertTrue(sal.map().norm2Number().doubleValue() > 0, e.name() + " saliency");
            AttributionResult cam = GradCam.builder(m).layer(e.vertex(e.gradCamLayer())).build()
                    .attribute(x, Targets.predicted());
            assertEquals(s.height(), cam.map().size(1), e.name() + " Grad-CAM upsampled to the input");
            for (Map.Entry<String, String> n : e.layerNames().entrySet()) {
                Object conf = g.getConfiguration().getVertices().get(n.getValue());
                assertTrue(conf != null, e.name() + ": " + n + " is not a vertex");
                Object layer = conf instanceof LayerVertex ? ((LayerVertex) conf).getLayerConf().getLayer() : conf;
                if (n.getKey().matches("block\\d+_conv\\d+") || n.getKey().equals("conv1")) {
                    assertTrue(layer instanceof ConvolutionLayer, e.name() + ": " + n + " is " + layer);
                } else if (n.getKey().matches("block\\d+_pool")) {
                    assertTrue(layer instanceof SubsamplingLayer, e.name() + ": " + n + " is " + layer);
                } else if (n.getKey().matches("res\\d[a-z]") && e.name().equals("resnet50")) {
                    assertTrue(layer instanceof ActivationLayer, e.name() + ": " + n + " is " + layer);
                }
            }
            for (String v : e.visualizationLayers()) {
                assertEquals(3, m.layer(e.vertex(v)).outputShape().length, e.name() + " " + v + " is spatial");
            }
            assertTrue(e.receptiveField(m, e.gradCamLayer()).height() > 1);
        }
    }

    @Test
    void humanNamesMapToDl4jVertexNames() {
        ZooEntry vgg = Zoo.vgg16();
        assertEquals("16", vgg.vertex("block5_conv3"));
        assertEquals("17", vgg.vertex("block5_pool"));
        assertEquals("0", vgg.vertex("block1_conv1"));
        assertEquals("20", vgg.vertex("predictions"));
        assertEquals("block5_conv3", vgg.humanName("16"));
        assertEquals("16", vgg.vertex("16"));
        assertEquals("block5_conv4", Zoo.vgg19().gradCamLayer());
        assertEquals("19", Zoo.vgg19().vertex("block5_conv4"));
        ZooEntry r = Zoo.resnet50();
        assertEquals("res5c_branch", r.vertex("res5c"));
        assertEquals("res4f_branch", r.vertex("res4f"));
        assertEquals("stem-cnn1", r.vertex("conv1"));
        String msg = assertThrows(IllegalArgumentException.class, () -> vgg.vertex("block9_conv1")).getMessage();
        assertTrue(msg.contains("block9_conv1") && msg.contains("block5_conv3"), msg);
        String unknown = assertThrows(IllegalArgumentException.class, () -> Zoo.get("alexnet")).getMessage();
        assertTrue(unknown.contains("vgg16") && unknown.contains("resnet50"), unknown);
    }

    @Test
    void imagenetClassNamesAreShippedAndFoundByAnySynonym() {
        ClassNames c = Zoo.imagenetClasses();
        assertEquals(1000, c.size());
        assertEquals("tench", c.shortName(0));
        assertEquals(281, c.indexOf("tabby cat"));
        assertEquals(281, c.indexOf("Tabby"));
        assertEquals(999, c.indexOf("999"));
        String msg = assertThrows(IllegalArgumentException.class, () -> c.indexOf("unicorn")).getMessage();
        assertTrue(msg.contains("unicorn"), msg);
        String near = assertThrows(IllegalArgumentException.class, () -> c.indexOf("retriev")).getMessage();
        assertTrue(near.contains("golden retriever"), near);
        assertThrows(IllegalArgumentException.class, () -> c.indexOf("1000"));
    }

    @Test
    void weightsLoadFromALocalFileAndGiveTheSavedModelsOutputs(@TempDir Path dir) throws IOException {
        ZooEntry e = Zoo.smallResNet();
        ComputationGraph saved = e.randomInit(11);
        File f = dir.resolve("small.zip").toFile();
        saved.save(f);
        ComputationGraph loaded = e.load(f);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28);
        assertEquals(saved.outputSingle(false, x), loaded.outputSingle(false, x));
        // the file of another architecture is refused by name
        File other = dir.resolve("vgg.zip").toFile();
        Zoo.smallVgg().randomInit(1).save(other);
        String wrong = assertThrows(IOException.class, () -> e.load(other)).getMessage();
        assertTrue(wrong.contains("not small-resnet"), wrong);
    }

    @Test
    void missingWeightsNameTheFileAndWhereToPutIt(@TempDir Path dir) throws Exception {
        ZooEntry vgg = Zoo.vgg16();
        String inFolder = assertThrows(IOException.class, () -> vgg.load(dir.toFile())).getMessage();
        assertTrue(inFolder.contains("vgg16_dl4j_inference.zip") && inFolder.contains(dir.toString()), inFolder);
        String missing = assertThrows(IOException.class, () -> vgg.load(dir.resolve("nope.zip").toFile()))
                .getMessage();
        assertTrue(missing.contains("nope.zip") && missing.contains("not found"), missing);
        // offline pretrained download: a closed local port and an empty cache (nothing is downloaded in tests)
        File cache = dir.resolve("cache").toFile();
        assertTrue(cache.mkdirs());
        String previousUrl = org.deeplearning4j.common.resources.DL4JResources.getBaseDownloadURL();
        org.deeplearning4j.common.resources.DL4JResources.setBaseDirectory(cache);
        org.deeplearning4j.common.resources.DL4JResources.setBaseDownloadURL("http://127.0.0.1:9/");
        try {
            ZooEntry r = Zoo.resnet50();
            String offline = assertThrows(IOException.class, r::pretrained).getMessage();
            assertTrue(offline.contains("resnet50_dl4j_inference.v3.zip") && offline.contains(cache.getPath()),
                    offline);
        } finally {
            org.deeplearning4j.common.resources.DL4JResources.resetBaseDirectoryLocation();
            org.deeplearning4j.common.resources.DL4JResources.setBaseDownloadURL(previousUrl);
        }
        String none = assertThrows(IOException.class, () -> Zoo.smallVgg().pretrained()).getMessage();
        assertTrue(none.contains("no published pretrained weights"), none);
    }

    @Test
    void imagesLoadShorterSideFirstThenCentreCropAndThePreprocessingRoundTrips(@TempDir Path dir) throws IOException {
        // 600x200: left third red, middle green, right blue; the centre crop of a 1:3 image is the middle third
        BufferedImage img = new BufferedImage(600, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 600; x++) {
                img.setRGB(x, y, x < 200 ? 0xff0000 : x < 400 ? 0x00ff00 : 0x0000ff);
            }
        }
        File f = dir.resolve("stripes.png").toFile();
        ImageIO.write(img, "png", f);
        InputSpec spec = Zoo.IMAGENET_SPEC;
        INDArray display = ImageLoader.of(InputSpec.builder().shape(3, 28, 28).build(), 1.0).loadDisplay(f);
        // away from the stripe edges (where resampling blends neighbours) the crop is pure green
        INDArray inner = display.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 26));
        assertEquals(1.0, inner.slice(1).minNumber().doubleValue(), 0.02, "all green");
        assertEquals(0.0, inner.slice(0).maxNumber().doubleValue(), 0.02, "no red");
        assertEquals(0.0, inner.slice(2).maxNumber().doubleValue(), 0.02, "no blue");
        INDArray input = ImageLoader.of(spec).load(f);
        assertEquals(255 - 116.779, input.getDouble(0, 1, 112, 112), 1.0, "BGR green channel minus its mean");
        assertEquals(-123.68, input.getDouble(0, 2, 112, 112), 1.0, "red is the last channel in BGR");
        assertTrue(spec.toDisplay(input).equalsWithEps(ImageLoader.of(spec).loadDisplay(f), 1e-4), "round trip");
        String bad = assertThrows(IOException.class, () -> ImageLoader.of(spec).load(dir.resolve("x.jpg").toFile()))
                .getMessage();
        assertTrue(bad.contains("x.jpg"), bad);
        File text = dir.resolve("notes.png").toFile();
        java.nio.file.Files.writeString(text.toPath(), "not an image");
        assertTrue(assertThrows(IOException.class, () -> ImageLoader.of(spec).load(text)).getMessage()
                .contains("Not a readable image"));
    }
}
