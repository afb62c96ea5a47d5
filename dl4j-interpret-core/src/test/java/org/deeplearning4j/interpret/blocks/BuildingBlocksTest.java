package org.deeplearning4j.interpret.blocks;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.LayerAttribution;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.BuildingBlocksPage;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building blocks on the trained shapes CNN: grids reproduce activations, attributions add up, NMF, the page. */
class BuildingBlocksTest {
    private static final String LAYER = "relu3";
    private static InterpretableModel model;
    private static INDArray image;
    private static BuildingBlocksResult result;

    @BeforeAll
    static void explainOneImage() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        model = Models.builder(TrainedShapes.network())
                .inputSpec(InputSpec.builder().shape(3, TrainedShapes.SIZE, TrainedShapes.SIZE).build()).build();
        image = TrainedShapes.heldOut(3).features().get(NDArrayIndex.interval(1, 2));
        result = BuildingBlocks.builder(model, LAYER).steps(64).groups(3).seed(2).build().explain(image);
    }

    private static double cosine(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue() / (a.norm2Number().doubleValue() * b.norm2Number().doubleValue()
                + 1e-12);
    }

    private static INDArray vectorAt(INDArray act, int y, int x) {
        return act.get(NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x));
    }

    @Test
    void activationGridImagesReproduceTheirPositionsActivationVectorsBetterThanRandomImages() {
        int h = result.height();
        int w = result.width();
        INDArray target = result.activation();
        Nd4j.getRandom().setSeed(7);
        INDArray random = model.activations(model.inputSpec().toModelInput(Nd4j.rand(DataType.FLOAT, 16, 3, 32, 32)),
                LAYER).get(LAYER);
        int better = 0;
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < h * w; p++) {
            int y = p / w;
            int x = p % w;
            INDArray v0 = vectorAt(target, y, x);
            if (v0.norm2Number().doubleValue() == 0) {
                better++; // a dead position has no direction to reproduce
                continue;
            }
            INDArray grid = model.activations(model.inputSpec().toModelInput(result.gridImage(p)
                    .reshape(1, 3, 32, 32)), LAYER).get(LAYER).slice(0);
            double opt = cosine(vectorAt(grid, y, x), v0);
            double rnd = 0;
            for (int i = 0; i < random.size(0); i++) {
                rnd = Math.max(rnd, cosine(vectorAt(random.slice(i), y, x), v0));
            }
            better += opt > rnd ? 1 : 0;
            sb.append(String.format("p%d opt %.3f best random %.3f%n", p, opt, rnd));
        }
        assertTrue(better >= 0.9 * h * w, better + "/" + h * w + "\n" + sb);
    }

    @Test
    void spatialAndChannelAttributionAreTheSameQuantityGroupedTwoWays() {
        double spatial = result.spatialAttribution().sumNumber().doubleValue();
        double channel = result.channelAttribution().sumNumber().doubleValue();
        assertEquals(spatial, channel, 1e-4 * Math.max(1, Math.abs(spatial)));
        assertArrayEquals(new long[] {result.height(), result.width()}, result.spatialAttribution().shape());
    }

    @Test
    void pathIntegratedAttributionIsCompleteWithinOnePercentToTheOutputAndBetweenLayers() {
        for (Object[] c : new Object[][] {{LAYER, Targets.predicted()}, {"relu2", Targets.channel(LAYER, 5)}}) {
            AttributionResult r = LayerAttribution.builder(model, (String) c[0])
                    // a trained network: 256 steps keep the quadrature error well under 1% on any CPU's kernels
                    .method(LayerAttribution.Method.INTEGRATED_GRADIENTS).steps(256).build()
                    .attribute(image, (org.deeplearning4j.interpret.targets.Target) c[1]);
            double total = r.attributions().sumNumber().doubleValue();
            double delta = r.convergenceDelta().get().getDouble(0);
            double change = total - delta; // f(x) - f(x with the layer zeroed)
            assertTrue(Math.abs(delta) <= 0.01 * Math.abs(change), c[0] + ": gap " + delta + " of " + change);
            assertEquals(r.map().sumNumber().doubleValue(), r.channelTotals().sumNumber().doubleValue(),
                    1e-4 * Math.max(1, Math.abs(total)));
        }
    }

    @Test
    void nmfErrorNeverIncreasesFactorsAreNonNegativeAndTheSameSeedGivesTheSameGroups() {
        NeuronGroupsResult g = result.groups();
        assertEquals(3, g.size());
        double[] e = g.errors();
        assertTrue(e.length > 2);
        for (int i = 1; i < e.length; i++) {
            assertTrue(e[i] <= e[i - 1] + 1e-9 * e[0], "error rose at " + i + ": " + e[i - 1] + " -> " + e[i]);
        }
        assertTrue(e[e.length - 1] < 0.6 * e[0], "the factorization explains the activations");
        for (int k = 0; k < g.size(); k++) {
            for (double m : g.mask(k)) {
                assertTrue(m >= 0);
            }
            for (double d : g.direction(k)) {
                assertTrue(d >= 0);
            }
        }
        NeuronGroupsResult again = NeuronGroups.of(model, LAYER, 3, 2, 1.0, 0).factorize(result.activation(), null);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(g.direction(k), again.direction(k), 0.0);
        }
        double[][] v = new double[40][6];
        Random r = new Random(1);
        for (double[] row : v) {
            for (int j = 0; j < row.length; j++) {
                row[j] = r.nextDouble();
            }
        }
        Nmf a = Nmf.factorize(v, 3, 9, 200, 1e-7);
        Nmf b = Nmf.factorize(v, 3, 10, 200, 1e-7);
        assertTrue(a.errors()[a.errors().length - 1] < a.errors()[0]);
        assertTrue(!java.util.Arrays.deepEquals(a.h(), b.h()), "different seeds, different starting points");
        assertTrue(result.groups().icon(0) == null || result.groups().icon(0).rank() == 3);
    }

    @Test
    void theDictionaryListsTheMostActiveChannelsWithCachedIcons() {
        INDArray act = result.activation();
        for (int p = 0; p < result.height() * result.width(); p++) {
            int[] ch = result.dictionaryChannels(p);
            double[] v = result.dictionaryValues(p);
            assertEquals(BuildingBlocks.DEFAULT_DICTIONARY_SIZE, ch.length);
            double max = vectorAt(act, p / result.width(), p % result.width()).maxNumber().doubleValue();
            assertEquals(max, v[0], 1e-6);
            for (int j = 1; j < v.length; j++) {
                assertTrue(v[j] <= v[j - 1]);
            }
            for (int c : ch) {
                assertTrue(result.channelIcons().containsKey(c));
            }
        }
        FeatureVisResult whole = org.deeplearning4j.interpret.featurevis.FeatureVisualization.builder().steps(2)
                .logProgress(false).build().run(model, org.deeplearning4j.interpret.featurevis.Objectives
                        .activationMatch(LAYER, result.activation(), 1.0));
        assertEquals(1, whole.size());
    }

    @Test
    void thePageLoadsInHeadlessChromiumWithoutErrorsAndShowsItsElements(@TempDir Path dir) throws Exception {
        File html = dir.resolve("blocks.html").toFile();
        BuildingBlocksPage.write(result, html);
        if (System.getProperty("blocks.page.copy") != null) {
            Files.copy(html.toPath(), new File(System.getProperty("blocks.page.copy")).toPath(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String chromium = null;
        for (String c : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (new File(c).canExecute()) {
                chromium = c;
                break;
            }
        }
        if (chromium == null) {
            assertTrue(System.getenv("CI") == null, "CI must install chromium (see .ci/run)");
            Assumptions.abort("chromium not installed");
        }
        File log = dir.resolve("chromium.log").toFile();
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--enable-logging=stderr", "--v=0", "--user-data-dir=" + dir.resolve("profile"),
                "--virtual-time-budget=5000", "--dump-dom", html.toURI().toString())
                .redirectError(log).redirectOutput(dir.resolve("dom.html").toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), "chromium failed; see its log");
        String dom = Files.readString(dir.resolve("dom.html"));
        int cells = result.height() * result.width();
        assertTrue(dom.contains("ready: " + cells + " positions, " + BuildingBlocks.DEFAULT_DICTIONARY_SIZE
                + " dictionary entries"), "the script did not finish: " + dom.substring(0, Math.min(600, dom.length())));
        assertTrue(dom.contains("<p id=\"errors\"></p>"), "script errors on the page");
        assertEquals(cells, dom.split("class=\"cell").length - 1, "one overlay cell per position");
        assertEquals(3, dom.split("class=\"group\"").length - 1, "neuron groups shown");
        String console = Files.readString(log.toPath());
        assertTrue(!console.contains("Uncaught") && !console.contains(":ERROR:CONSOLE"), console);
    }

    @Test
    void badInputGetsClearErrors() {
        String dense = assertThrows(IllegalArgumentException.class, () -> BuildingBlocks.builder(model, "gap")
                .build()).getMessage();
        assertTrue(dense.contains("spatial") && dense.contains("gap"), dense);
        String tooMany = assertThrows(IllegalArgumentException.class, () -> BuildingBlocks.builder(model, LAYER)
                .groups(33).build()).getMessage();
        assertTrue(tooMany.contains("0..32"), tooMany);
        String nmf = assertThrows(IllegalArgumentException.class, () -> NeuronGroups.of(model, LAYER, 40, 1, 1, 0)
                .factorize(result.activation(), null)).getMessage();
        assertTrue(nmf.contains("40") && nmf.contains("32 channels"), nmf);
        String unknown = assertThrows(IllegalArgumentException.class, () -> BuildingBlocks.builder(model, "conv9")
                .build()).getMessage();
        assertTrue(unknown.contains("relu3"), unknown);
        String batch = assertThrows(IllegalArgumentException.class, () -> BuildingBlocks.builder(model, LAYER).build()
                .explain(TrainedShapes.heldOut(2).features())).getMessage();
        assertTrue(batch.contains("one image"), batch);
        String negative = assertThrows(IllegalArgumentException.class, () -> NeuronGroups.of(model, "conv3", 2, 1, 1,
                0).factorize(model.activations(image, "conv3").get("conv3").slice(0), null)).getMessage();
        assertTrue(negative.contains("non-negative"), negative);
    }
}
