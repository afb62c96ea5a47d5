package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.evaluation.MethodScorecard;
import org.deeplearning4j.interpret.evaluation.ScorecardResult;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A scorecard over the synthetic shapes, written as a page and drawn by headless Chromium (no network). */
class ScorecardPageBrowserTest {
    @TempDir
    Path dir;

    @Test
    void aScorecardHasEveryMethodAndMetricAndChromiumDrawsItsCurves() throws Exception {
        InterpretableModel m = Models.of(TrainedShapes.network());
        org.deeplearning4j.interpret.data.SyntheticShapes.Sample sample = TrainedShapes.heldOut(4);
        ScorecardResult s = MethodScorecard.builder(m).method("Saliency", Saliency::of)
                .method("Occlusion", x -> Occlusion.builder(x).window(6).stride(3).build())
                .metrics(MethodScorecard.Metric.values()).limit(4).steps(8).randomOrders(2).build()
                .run(sample.features(), sample.masks());
        assertEquals(java.util.List.of("Saliency", "Occlusion"), s.methods());
        for (String metric : new String[] {"deletion AUC", "insertion AUC", "ROAD deletion AUC", "infidelity",
            "max-sensitivity", "avg-sensitivity", "completeness-gap", "pointing-game", "energy-pointing-game",
            "relevance-rank-accuracy"}) {
            assertTrue(s.value("Saliency", metric).isPresent(), metric + " missing: " + s.metrics());
            assertEquals(4, s.value("Occlusion", metric).get().size());
        }
        assertTrue(s.sanityCheck("Saliency").isPresent());
        File csv = dir.resolve("scorecard.csv").toFile();
        s.writeCsv(csv);
        assertTrue(Files.readString(csv.toPath()).contains("\"Occlusion\",\"deletion AUC\""));
        File html = dir.resolve("scorecard.html").toFile();
        ScorecardPage.write(s, m.inputSpec(), html);
        String page = Files.readString(html.toPath());
        assertTrue(page.contains("<svg") && page.contains("random order") && page.contains("What the metrics mean"));
        assertFalse(page.contains("http://") && page.contains("<script"), "the page must be self-contained");

        String chromium = HtmlReportBrowserTest.browser();
        if (chromium == null) {
            assertTrue(System.getenv("CI") == null, "CI must install chromium (see .ci/run)");
            Assumptions.abort("chromium not installed");
        }
        File shot = dir.resolve("shot.png").toFile();
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + dir.resolve("profile"), "--window-size=1300,1400",
                "--screenshot=" + shot.getAbsolutePath(), html.toURI().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), "chromium failed; see its log");
        BufferedImage img = ImageIO.read(shot);
        for (String colour : new String[] {ScorecardPage.PALETTE[0], ScorecardPage.PALETTE[1]}) {
            int rgb = Integer.parseInt(colour.substring(1), 16);
            int n = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    n += HtmlReportBrowserTest.close(img.getRGB(x, y) & 0xffffff, rgb) ? 1 : 0;
                }
            }
            assertTrue(n > 100, "curve colour " + colour + " drawn on only " + n + " pixels");
        }
    }
}
