package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RenderingTest {

    /** Every test starts from the same ND4J random state, so random inputs are reproducible. */
    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(20261125L);
    }
    @TempDir
    Path dir;

    @Test
    void sequentialHeatmapMapsMinimumAndClippedMaximumToTheColormapEnds() {
        INDArray map = Nd4j.createFromArray(new double[][] {{0, 1}, {2, 1000}});
        BufferedImage img = Heatmaps.heatmap(map, Colormap.VIRIDIS, 75);
        assertEquals(Colormap.VIRIDIS.rgb(0), img.getRGB(0, 0) & 0xffffff);
        assertEquals(Colormap.VIRIDIS.rgb(1), img.getRGB(0, 1) & 0xffffff, "75th percentile saturates");
        assertEquals(Colormap.VIRIDIS.rgb(1), img.getRGB(1, 1) & 0xffffff, "outlier clipped");
    }

    @Test
    void divergingHeatmapPutsZeroAtTheMiddleColour() {
        INDArray map = Nd4j.createFromArray(new double[][] {{-1, 0, 1}});
        BufferedImage img = Heatmaps.heatmap(map, Colormap.RDBU, 100);
        assertEquals(Colormap.RDBU.rgb(0.5), img.getRGB(1, 0) & 0xffffff);
        assertEquals(Colormap.RDBU.rgb(0), img.getRGB(0, 0) & 0xffffff);
        assertEquals(Colormap.RDBU.rgb(1), img.getRGB(2, 0) & 0xffffff);
    }

    @Test
    void constantMapRendersWithoutDividingByZero() {
        BufferedImage img = Heatmaps.heatmap(Nd4j.zeros(3, 3), Colormap.INFERNO);
        assertEquals(Colormap.INFERNO.rgb(0), img.getRGB(2, 2) & 0xffffff);
        assertEquals(Colormap.RDBU.rgb(0.5), Heatmaps.heatmap(Nd4j.zeros(2, 2), Colormap.RDBU).getRGB(0, 0) & 0xffffff);
    }

    @Test
    void colormapsArePerceptuallyOrderedFromDarkToLight() {
        for (Colormap c : new Colormap[] {Colormap.VIRIDIS, Colormap.INFERNO, Colormap.MAGMA}) {
            double prev = -1;
            for (int i = 0; i <= 10; i++) {
                int rgb = c.rgb(i / 10.0);
                double lum = 0.2126 * (rgb >> 16 & 0xff) + 0.7152 * (rgb >> 8 & 0xff) + 0.0722 * (rgb & 0xff);
                assertTrue(lum > prev, c + " luminance not increasing at " + i);
                prev = lum;
            }
        }
    }

    @Test
    void inputImageUndoesMeanSubtractionAndBgrOrder() {
        InputSpec spec = InputSpec.builder().shape(3, 1, 1).pixelRange(0, 255).channelMeans(10, 20, 30)
                .channelOrder(InputSpec.ChannelOrder.BGR).build();
        INDArray bgr = Nd4j.createFromArray(new double[] {255 - 10, 0 - 20, 128 - 30}).reshape(3, 1, 1);
        int rgb = Heatmaps.inputImage(bgr, spec).getRGB(0, 0) & 0xffffff;
        assertEquals(128, rgb >> 16 & 0xff);
        assertEquals(0, rgb >> 8 & 0xff);
        assertEquals(255, rgb & 0xff);
        assertEquals(127.5 - 20, spec.greyValue(1), 1e-12);
        assertEquals(0.0, spec.toBuilder().neutralValues(0).build().greyValue(2), 0.0);
        assertThrows(IllegalArgumentException.class, () -> spec.toBuilder().neutralValues(1, 2).build());
    }

    @Test
    void overlayBlendsAndGridLaysOutCaptionedCells() throws Exception {
        BufferedImage black = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        BufferedImage white = Heatmaps.heatmap(Nd4j.ones(2, 2), Colormap.RDBU, 100);
        BufferedImage o = Heatmaps.overlay(black, white, 0.5);
        assertEquals(4, o.getWidth());
        assertNotEquals(0, o.getRGB(3, 3) & 0xffffff);
        assertThrows(IllegalArgumentException.class, () -> Heatmaps.overlay(black, white, 1.5));
        BufferedImage g = Heatmaps.grid(List.of(black, o, white), List.of("a", "b", "c"), 2, 32);
        assertTrue(g.getWidth() > 64 && g.getHeight() > 64);
        File png = dir.resolve("sub/grid.png").toFile();
        Heatmaps.writePng(g, png);
        assertEquals(g.getWidth(), ImageIO.read(png).getWidth());
    }

    @Test
    void htmlReportIsSelfContainedAndEscapesCaptions() throws Exception {
        BufferedImage img = Heatmaps.heatmap(Nd4j.rand(5, 5), Colormap.VIRIDIS);
        HtmlReport r = HtmlReport.builder("Test <report>").section("Saliency", "why & how").image(img, "a<b")
                .image(img, "second").build();
        File f = dir.resolve("report.html").toFile();
        r.write(f);
        String html = Files.readString(f.toPath());
        assertEquals(2, r.imageCount());
        assertTrue(html.contains("data:image/png;base64,"));
        assertTrue(html.contains("Test &lt;report&gt;") && html.contains("a&lt;b") && html.contains("why &amp; how"));
        assertTrue(!html.contains("src=\"http") && !html.contains("<script"), "report must not load anything");
    }

    @Test
    void attributionsRoundTripThroughNpy() throws Exception {
        AttributionResult r = Saliency.of(Models.builder(TestNets.vggLike(DataType.FLOAT, 1))
                .inputSpec(TestNets.vggSpec()).build()).attribute(Nd4j.rand(DataType.FLOAT, 2, 3, 12, 12),
                Targets.predicted());
        File a = dir.resolve("a.npy").toFile();
        File m = dir.resolve("m.npy").toFile();
        r.saveAttributionsNpy(a);
        r.saveMapNpy(m);
        assertEquals(r.attributions(), Npy.read(a));
        assertEquals(r.map(), Npy.read(m));
        byte[] head = Files.readAllBytes(a.toPath());
        assertEquals("NUMPY", new String(head, 1, 5));
        String header = new String(head, 10, (head[8] & 0xff) | (head[9] << 8));
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (2, 3, 12, 12)"), header);
        assertEquals(0, (10 + header.length()) % 64, "header must be 64-byte aligned");
        INDArray d = Nd4j.rand(DataType.DOUBLE, 5);
        File v = dir.resolve("v.npy").toFile();
        Npy.write(d, v);
        assertEquals(d, Npy.read(v));
    }

    @Test
    void resultIsImmutableAndSelfDescribing() {
        AttributionResult r = Saliency.builder(Models.builder(TestNets.vggLike(DataType.FLOAT, 1))
                .inputSpec(TestNets.vggSpec()).build()).signed(true).build()
                .attribute(Nd4j.rand(DataType.FLOAT, 1, 3, 12, 12), Targets.logit(2));
        INDArray before = r.map();
        r.map().addi(5);
        r.attributions().addi(5);
        assertEquals(before, r.map());
        assertEquals("Saliency", r.method());
        assertEquals("logit[class 2]", r.target());
        assertEquals("true", r.options().get("signed"));
        assertTrue(r.isSigned());
        assertThrows(UnsupportedOperationException.class, () -> r.options().put("x", "y"));
    }
}
