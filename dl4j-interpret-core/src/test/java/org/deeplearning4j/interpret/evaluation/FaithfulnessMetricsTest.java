package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.progress.Progress;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.LinearModels;
import org.deeplearning4j.interpret.testing.TrainedFashionMnist;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaithfulnessMetricsTest {
    private static final Logger log = LoggerFactory.getLogger(FaithfulnessMetricsTest.class);

    @TempDir
    Path dir;

    private static MultiLayerNetwork linear() {
        return LinearModels.linear(1, 4, 4, 3, 5);
    }

    private static InterpretableModel linearModel(MultiLayerNetwork net) {
        return Models.builder(net).inputSpec(InputSpec.builder().shape(1, 4, 4).neutralValues(0).build()).build();
    }

    @Test
    void onALinearModelDeletionRemovesPixelsInTheOrderOfAbsWTimesXAndEachStepDropsByWTimesX() {
        MultiLayerNetwork net = linear();
        InterpretableModel m = linearModel(net);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 1, 4, 4).subi(0.5);
        AttributionResult gxi = GradientXInput.of(m).attribute(x, Targets.logit(1));
        Curves c = DeletionInsertion.builder(m).steps(16).absolute(true).randomOrders(1)
                .kinds(DeletionInsertion.Kind.DELETION).deletionFill(Fill.value(0)).build()
                .evaluate(x, gxi, Targets.logit(1)).deletion();
        INDArray w = net.getLayer(0).getParam("W").getColumn(1); // [16], c-order flatten of [1, 4, 4]
        double[] wx = new double[16];
        for (int i = 0; i < 16; i++) {
            wx[i] = w.getDouble(i) * x.getDouble(i);
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, 16).boxed().toList());
        order.sort(Comparator.comparingDouble((Integer i) -> -Math.abs(wx[i])));
        double f = m.logits(x).getDouble(0, 1);
        INDArray curve = c.curves();
        assertEquals(f, curve.getDouble(0, 0), 1e-9);
        for (int k = 0; k < 16; k++) {
            f -= wx[order.get(k)];
            assertEquals(f, curve.getDouble(0, k + 1), 1e-9, "step " + (k + 1));
        }
    }

    @Test
    void onALinearModelInsertionGoesFromTheCanvasToTheImage() {
        MultiLayerNetwork net = linear();
        InterpretableModel m = linearModel(net);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 4, 4);
        Curves c = DeletionInsertion.builder(m).steps(4).kinds(DeletionInsertion.Kind.INSERTION)
                .insertionCanvas(Fill.value(0)).build()
                .evaluate(x, Saliency.of(m).attribute(x, Targets.logit(0)), Targets.logit(0)).insertion();
        INDArray bias = m.logits(Nd4j.zeros(DataType.DOUBLE, 1, 1, 4, 4));
        for (int i = 0; i < 2; i++) {
            assertEquals(bias.getDouble(0, 0), c.curves().getDouble(i, 0), 1e-9);
            assertEquals(m.logits(x).getDouble(i, 0), c.curves().getDouble(i, 4), 1e-9);
            assertEquals(c.curves().getDouble(i, 4), c.randomCurves().getDouble(i, 4), 1e-9);
        }
        assertEquals(0.0, c.fractions()[0]);
        assertEquals(1.0, c.fractions()[4]);
    }

    @Test
    void curvesDoNotDependOnTheBatchAnExampleIsIn() {
        InterpretableModel m = Models.of(TrainedShapes.network());
        INDArray x = TrainedShapes.heldOut(3).features();
        INDArray maps = Saliency.of(m).attribute(x, Targets.predicted()).map();
        DeletionInsertion road = DeletionInsertion.road(m).steps(6).randomOrders(2).maxBatchSize(5).build();
        DeletionInsertion plain = DeletionInsertion.builder(m).steps(6).randomOrders(2).maxBatchSize(7).build();
        for (DeletionInsertion d : List.of(road, plain)) {
            DeletionInsertion.Result all = d.evaluate(x, maps, "Saliency", Targets.predictedProbability());
            DeletionInsertion.Result one = d.evaluate(x.get(NDArrayIndex.interval(2, 3)),
                    maps.get(NDArrayIndex.interval(2, 3)), "Saliency", Targets.predictedProbability());
            INDArray a = all.deletion().curves().getRow(2);
            INDArray b = one.deletion().curves().getRow(0);
            assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-5, "batch changed the curve: " + a + " vs " + b);
            a = all.deletion().randomCurves().getRow(2);
            b = one.deletion().randomCurves().getRow(0);
            assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-5, "batch changed the random curve");
        }
    }

    @Test
    void curvesAndInfidelityAreTheSameOnEveryEngineAndModelType() {
        org.deeplearning4j.nn.graph.ComputationGraph g = org.deeplearning4j.interpret.model.SameDiffModelTest
                .smallGraph();
        List<InterpretableModel> models = List.of(
                Models.builder(g).executionPath(org.deeplearning4j.interpret.model.ExecutionPath.SAMEDIFF).build(),
                Models.builder(g).executionPath(org.deeplearning4j.interpret.model.ExecutionPath.DL4J_LAYERS).build(),
                Models.builder(org.deeplearning4j.interpret.model.SameDiffModelTest.sameDiffCopyOf(g), "input",
                        "logits").classifier(true).build());
        INDArray x = Nd4j.create(new SplittableRandom(3).doubles(3 * 64).toArray(), new long[] {3, 1, 8, 8},
                DataType.DOUBLE);
        AttributionResult sal = Saliency.of(models.get(0)).attribute(x, Targets.predicted());
        INDArray ref = null;
        INDArray refInf = null;
        for (InterpretableModel m : models) {
            DeletionInsertion.Result r = DeletionInsertion.road(m).kinds(DeletionInsertion.Kind.DELETION,
                    DeletionInsertion.Kind.INSERTION).steps(8).build().evaluate(x, sal, Targets.predictedProbability());
            INDArray c = Nd4j.concat(1, r.deletion().curves(), r.deletion().randomCurves(), r.insertion().curves());
            INDArray inf = Infidelity.builder(m).build().evaluate(x, sal, Targets.predicted()).values();
            if (ref == null) {
                ref = c;
                refInf = inf;
            } else {
                assertTrue(c.sub(ref).amaxNumber().doubleValue() < 1e-9, "curves differ between engines");
                assertTrue(inf.sub(refInf).amaxNumber().doubleValue() < 1e-6 * (1 + refInf.amaxNumber()
                        .doubleValue()), "infidelity differs between engines");
            }
        }
    }

    @Test
    void noisyLinearImputationReconstructsALinearRampAndFillsAnEmptyImageWithTheNeutralValue() {
        int h = 12;
        int w = 12;
        double[] img = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img[y * w + x] = 0.2 + 0.03 * x + 0.02 * y;
            }
        }
        boolean[] removed = new boolean[h * w];
        for (int y = 3; y < 9; y++) {
            for (int x = 4; x < 10; x++) {
                removed[y * w + x] = true;
            }
        }
        InputSpec spec = InputSpec.builder().shape(1, h, w).build();
        double[] out = Fill.noisyLinearImputation(0).impute(img, removed, 1, h, w, spec, new SplittableRandom(1));
        for (int p = 0; p < img.length; p++) {
            assertEquals(img[p], out[p], 2e-3, "pixel " + p);
        }
        java.util.Arrays.fill(removed, true);
        out = Fill.noisyLinearImputation(0).impute(img, removed, 1, h, w, spec, new SplittableRandom(1));
        for (double v : out) {
            assertEquals(spec.greyValue(0), v, 1e-6);
        }
    }

    /** The known answer: on the trained Fashion-MNIST CNN, IG and occlusion beat random order. */
    @Test
    void onFashionMnistIntegratedGradientsAndOcclusionDeleteBetterThanRandomOrder() {
        InterpretableModel m = TrainedFashionMnist.model();
        INDArray x = TrainedFashionMnist.test().getFeatures().get(NDArrayIndex.interval(0, 32));
        List<Progress> seen = new ArrayList<>();
        DeletionInsertion d = DeletionInsertion.builder(m).kinds(DeletionInsertion.Kind.DELETION)
                .progress(seen::add).build();
        for (AttributionResult r : List.of(IntegratedGradients.of(m).attribute(x, Targets.predicted()),
                Occlusion.builder(m).window(4).stride(2).build().attribute(x, Targets.predicted()))) {
            Curves c = d.evaluate(x, r, Targets.predictedProbability()).deletion();
            log.info("{}", c);
            // not on every image (on some, removing the item's most important pixels raises the class's
            // probability), but on average
            assertTrue(c.meanAuc() < c.meanRandomAuc(), c.toString());
        }
        assertEquals(seen.get(seen.size() - 1).total(), seen.get(seen.size() - 1).done());
    }

    @Test
    void infidelityOfGradientXInputOnALinearModelIsZeroForTheMatchingPerturbation() {
        InterpretableModel m = linearModel(linear());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 1, 4, 4).addi(0.1);
        AttributionResult gxi = GradientXInput.of(m).attribute(x, Targets.predicted());
        MetricResult matching = Infidelity.builder(m).multipliedByInputs(true).build().evaluate(x, gxi,
                Targets.predicted());
        MetricResult plain = Infidelity.builder(m).build().evaluate(x, gxi, Targets.predicted());
        double scale = m.logits(x).amaxNumber().doubleValue();
        for (int i = 0; i < 3; i++) {
            assertTrue(matching.value(i) < 1e-20 * scale * scale, "infidelity " + matching.value(i));
        }
        assertTrue(plain.mean() > 1e-6, "without dividing by the input, x * grad does not predict the change");
        // the gradient itself predicts the change of a linear model exactly, with or without normalisation
        AttributionResult grad = Saliency.builder(m).signed(true).build().attribute(x, Targets.predicted());
        assertTrue(Infidelity.builder(m).normalize(true).build().evaluate(x, grad, Targets.predicted()).mean()
                < 1e-20 * scale * scale);
    }

    @Test
    void sensitivityIsZeroForAConstantGradientAndCompletenessHoldsWhereItIsPromised() {
        InterpretableModel m = linearModel(linear());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 4, 4);
        List<MetricResult> s = Sensitivity.builder(m, Saliency.builder(m).signed(true).build()).build()
                .evaluate(x, Targets.predicted());
        assertEquals(0.0, s.get(0).mean(), 1e-12);
        assertEquals(0.0, s.get(1).mean(), 1e-12);
        List<MetricResult> g = Sensitivity.builder(m, GradientXInput.of(m)).radius(0.05).build()
                .evaluate(x, Targets.predicted());
        assertTrue(g.get(0).mean() > 0 && g.get(0).mean() >= g.get(1).mean());
        assertEquals(0.0, Completeness.evaluate(m, x, GradientXInput.of(m).attribute(x, Targets.predicted()),
                Targets.predicted(), Baselines.zeros()).mean(), 1e-9);
        assertEquals(0.0, Completeness.evaluate(m, x, IntegratedGradients.of(m).attribute(x, Targets.predicted()),
                Targets.predicted(), Baselines.zeros()).mean(), 1e-9);
    }

    @Test
    void localizationScoresKnownMaps() {
        INDArray maps = Nd4j.zeros(DataType.DOUBLE, 2, 4, 4);
        maps.putScalar(new int[] {0, 1, 1}, 3.0); // inside the box
        maps.putScalar(new int[] {0, 3, 3}, 1.0); // outside
        maps.putScalar(new int[] {1, 3, 3}, 5.0); // peak outside
        maps.putScalar(new int[] {1, 1, 2}, 5.0 - 1e-9);
        INDArray masks = Localization.boxMasks(4, 4, new int[][] {{0, 0, 2, 3}, {0, 0, 2, 3}});
        AttributionResult r = new AttributionResult("test", "t", java.util.Map.of(), maps.reshape(2, 1, 4, 4), maps,
                Nd4j.zeros(DataType.DOUBLE, 2), false);
        List<MetricResult> l = Localization.evaluate(r, masks, 0);
        assertEquals(1.0, l.get(0).value(0));
        assertEquals(0.0, l.get(0).value(1));
        assertEquals(0.75, l.get(1).value(0), 1e-12);
        assertEquals(0.5, l.get(1).value(1), 1e-6);
        // top 6 pixels: the 3, the 1 (outside), then zeros by index: (0,0), (0,1), (0,2) inside, (0,3) outside
        assertEquals(4.0 / 6, l.get(2).value(0), 1e-12);
        assertEquals(1.0, Localization.evaluate(r, masks, 2).get(0).value(1), "within 2 pixels of the box");
        assertThrows(IllegalArgumentException.class, () -> Localization.evaluate(r, Nd4j.zeros(4, 4), 0));
    }

    @Test
    void onSyntheticShapesOcclusionPointsAtTheShape() {
        SyntheticShapes.Sample s = TrainedShapes.heldOut(8);
        InterpretableModel m = Models.of(TrainedShapes.network());
        AttributionResult r = Occlusion.builder(m).window(6).stride(3).build().attribute(s.features(),
                Targets.predicted());
        List<MetricResult> l = Localization.evaluate(r, s.masks(), 0);
        double share = s.masks().neq(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        log.info("shapes localization: {} (object share {})", l, share);
        assertTrue(l.get(1).mean() > share, "energy on the shape " + l.get(1).mean() + " vs its share " + share);
    }

    @Test
    void resultsExportToCsvAndNpy() throws Exception {
        InterpretableModel m = linearModel(linear());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 4, 4);
        DeletionInsertion.Result r = DeletionInsertion.of(m).evaluate(x, Saliency.of(m).attribute(x,
                Targets.predicted()), Targets.predictedProbability());
        File csv = dir.resolve("deletion.csv").toFile();
        r.deletion().writeCsv(csv);
        assertEquals(1 + 2 * 17, Files.readAllLines(csv.toPath()).size());
        r.insertion().saveNpy(dir.toFile(), "insertion");
        assertTrue(new File(dir.toFile(), "insertion-curves.npy").length() > 0);
        MetricResult inf = Infidelity.builder(m).build().evaluate(x, GradientXInput.of(m).attribute(x,
                Targets.predicted()), Targets.predicted());
        inf.writeCsv(dir.resolve("inf.csv").toFile());
        inf.saveNpy(dir.resolve("inf.npy").toFile());
        assertEquals(3, Files.readAllLines(dir.resolve("inf.csv")).size());
    }

    @Test
    void badOptionsAndInputsAreRefusedBeforeAnyWork() {
        InterpretableModel m = linearModel(linear());
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 4, 4);
        String msg = assertThrows(IllegalArgumentException.class, () -> DeletionInsertion.of(m).evaluate(x,
                Nd4j.zeros(DataType.DOUBLE, 2, 3, 3), "m", Targets.predicted())).getMessage();
        assertTrue(msg.contains("[2, 4, 4]") && msg.contains("[2, 3, 3]"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> DeletionInsertion.builder(m).steps(17).build()
                .evaluate(x, Nd4j.zeros(DataType.DOUBLE, 2, 4, 4), "m", Targets.predicted())).getMessage();
        assertTrue(msg.contains("16"), msg);
        assertThrows(IllegalArgumentException.class, () -> DeletionInsertion.builder(m).randomOrders(0).build());
        assertThrows(IllegalArgumentException.class, () -> Fill.blur(0));
        assertThrows(IllegalArgumentException.class, () -> Infidelity.builder(m).samples(0).build());
        assertThrows(IllegalArgumentException.class, () -> Sensitivity.builder(m, Saliency.of(m)).radius(-1).build());
        assertThrows(IllegalArgumentException.class, () -> ParameterRandomization.builder(m, Saliency::of)
                .passThreshold(2).build());
        assertThrows(IllegalArgumentException.class, () -> MethodScorecard.builder(m).build());
    }
}
