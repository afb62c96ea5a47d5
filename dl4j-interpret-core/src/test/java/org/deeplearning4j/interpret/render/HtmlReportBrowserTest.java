package org.deeplearning4j.interpret.render;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens the HTML report in headless Chromium (no network) and checks that the embedded heatmap is actually drawn.
 * CI installs Debian's chromium; on a developer machine without it the test is skipped, except under CI=true.
 */
class HtmlReportBrowserTest {
    private static final String[] CANDIDATES = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome"};

    @TempDir
    Path dir;

    static String browser() {
        for (String c : CANDIDATES) {
            if (new File(c).canExecute()) {
                return c;
            }
        }
        return null;
    }

    @Test
    void reportRendersItsEmbeddedHeatmapInHeadlessChromium() throws Exception {
        String chromium = browser();
        if (chromium == null) {
            assertTrue(System.getenv("CI") == null, "CI must install chromium (see .ci/run)");
            Assumptions.abort("chromium not installed");
        }
        // a 64x64 map whose right half is the colormap's top colour (viridis yellow)
        INDArray map = Nd4j.zeros(DataType.DOUBLE, 64, 64);
        map.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(32, 64))
                .assign(1.0);
        BufferedImage heat = Heatmaps.scale(Heatmaps.heatmap(map, Colormap.VIRIDIS, 100), 256, 256);
        File html = dir.resolve("report.html").toFile();
        HtmlReport.builder("Browser check").section("Heatmap", "left purple, right yellow").image(heat, "viridis")
                .build().write(html);
        File shot = dir.resolve("shot.png").toFile();
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + dir.resolve("profile"), "--window-size=800,600",
                "--screenshot=" + shot.getAbsolutePath(), html.toURI().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), "chromium failed; see its log");
        BufferedImage img = ImageIO.read(shot);
        int yellow = 0;
        int purple = 0;
        int top = Colormap.VIRIDIS.rgb(1);
        int bottom = Colormap.VIRIDIS.rgb(0);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y) & 0xffffff;
                yellow += close(c, top) ? 1 : 0;
                purple += close(c, bottom) ? 1 : 0;
            }
        }
        // the 256x256 image is half yellow, half purple: ~32768 pixels each
        assertTrue(yellow > 20000 && purple > 20000, "heatmap not drawn: yellow " + yellow + ", purple " + purple);
    }

    static boolean close(int a, int b) {
        return Math.abs((a >> 16 & 0xff) - (b >> 16 & 0xff)) < 12 && Math.abs((a >> 8 & 0xff) - (b >> 8 & 0xff)) < 12
                && Math.abs((a & 0xff) - (b & 0xff)) < 12;
    }
}
