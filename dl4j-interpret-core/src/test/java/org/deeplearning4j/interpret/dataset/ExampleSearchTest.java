package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.DeconvProjection;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.model.ReceptiveField;
import org.deeplearning4j.interpret.render.ExampleGrids;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExampleSearchTest {

    /** Every test starts from the same ND4J random state, so random inputs are reproducible. */
    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(20261125L);
    }
    private static final Logger log = LoggerFactory.getLogger(ExampleSearchTest.class);
    private static final int N = 40;

    private static InterpretableModel model;
    private static INDArray data;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        model = Models.builder(TrainedShapes.network())
                .inputSpec(InputSpec.builder().shape(3, TrainedShapes.SIZE, TrainedShapes.SIZE).build()).build();
        data = TrainedShapes.heldOut(N).features();
    }

    private static Iterator<INDArray> batches(INDArray x, int batch) {
        List<INDArray> l = new ArrayList<>();
        for (int i = 0; i < x.size(0); i += batch) {
            l.add(x.get(NDArrayIndex.interval(i, Math.min(x.size(0), i + batch))).dup());
        }
        return l.iterator();
    }

    private static ExampleSearch search(int k) {
        return ExampleSearch.builder(model).channels("conv2", 0, 1, 2, 3).channels("gap", 5)
                .units(Unit.neuron("relu3", 5, 2, 3)).k(k).bottom(true).randomSample(3).build();
    }

    private static double bruteValue(Unit u, INDArray a, int i) {
        if (u.isNeuron()) {
            return a.getDouble(i, u.channel(), u.y(), u.x());
        }
        if (a.rank() == 2) {
            return a.getDouble(i, u.channel());
        }
        return a.get(NDArrayIndex.point(i), NDArrayIndex.point(u.channel())).maxNumber().doubleValue();
    }

    @Test
    void topAndBottomKAgreeExactlyWithBruteForce() {
        ExampleSearchResult r = search(5).search(batches(data, 8));
        assertEquals(N, r.examples());
        for (Unit u : r.units()) {
            INDArray a = model.activations(data, u.layer()).get(u.layer());
            List<long[]> all = new ArrayList<>();
            List<Double> vals = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                vals.add(bruteValue(u, a, i));
            }
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                idx.add(i);
            }
            idx.sort(Comparator.<Integer>comparingDouble(vals::get).reversed().thenComparing(i -> i));
            List<Hit> top = r.top(u);
            assertEquals(5, top.size());
            for (int j = 0; j < 5; j++) {
                assertEquals((long) idx.get(j), top.get(j).index(), "top rank " + j + " of " + u);
                assertEquals(vals.get(idx.get(j)), top.get(j).value(), 1e-6);
            }
            idx.sort(Comparator.<Integer>comparingDouble(vals::get).thenComparing(i -> i));
            for (int j = 0; j < 5; j++) {
                assertEquals((long) idx.get(j), r.bottom(u).get(j).index(), "bottom rank " + j + " of " + u);
            }
            assertEquals(3, r.random(u).size());
            assertTrue(all.isEmpty());
        }
    }

    @Test
    void resultsAreIdenticalForDifferentBatchSizesAndSurviveSaveAndLoad() throws Exception {
        ExampleSearchResult a = search(4).search(batches(data, 3));
        ExampleSearchResult b = search(4).search(batches(data, N));
        File f = dir.resolve("search.bin").toFile();
        a.save(f);
        ExampleSearchResult c = ExampleSearchResult.load(f);
        for (Unit u : a.units()) {
            for (int j = 0; j < 4; j++) {
                for (ExampleSearchResult other : List.of(b, c)) {
                    Hit x = a.top(u).get(j);
                    Hit y = other.top(u).get(j);
                    assertEquals(x.index(), y.index());
                    assertEquals(x.value(), y.value(), 1e-6);
                    assertEquals(x.field(), y.field());
                    assertTrue(x.crop().equalsWithEps(y.crop(), 1e-6));
                }
            }
            assertEquals(a.random(u).get(0).index(), c.random(u).get(0).index());
        }
        assertEquals(a.options(), c.options());
    }

    @Test
    void memoryIsBoundedByKTimesUnitsNotByDatasetLength() {
        ExampleSearch s = ExampleSearch.builder(model).channels("relu3").k(3).build();
        ExampleSearchResult shortRun = s.search(stream(50));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        ExampleSearchResult longRun = s.search(stream(1500));
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        long bound = 32L * 3 * 3 * 32 * 32; // units x k distinct images at most, of 3 x 32 x 32 values
        log.info("retained crop values: {} after 50 examples, {} after 1500 (bound {}); heap change {} MB",
                shortRun.retainedValues(), longRun.retainedValues(), bound, (after - before) / 1e6);
        assertTrue(shortRun.retainedValues() <= bound && longRun.retainedValues() <= bound);
        assertEquals(1500, longRun.examples());
        assertTrue(after - before < 64L * 1024 * 1024, "heap grew by " + (after - before) + " bytes");
    }

    /** A lazily generated stream: nothing but the current batch exists at a time. */
    private static Iterator<INDArray> stream(int total) {
        return new Iterator<>() {
            private int made;

            @Override
            public boolean hasNext() {
                return made < total;
            }

            @Override
            public INDArray next() {
                int n = Math.min(25, total - made);
                INDArray b = org.deeplearning4j.interpret.data.SyntheticShapes.builder().size(TrainedShapes.SIZE)
                        .seed(1000 + made).build().generate(n).features();
                made += n;
                return b;
            }
        };
    }

    @Test
    void receptiveFieldsMatchHandComputedValuesAndAFiniteDifferenceProbe() {
        // conv1 3x3 same: 3 pixels; pool 2/2: 4; conv2 3x3 same: 8; pool 2/2: 10; conv3 3x3 same: 18; jump 4
        assertEquals(new ReceptiveField(2, 4, 3, 3), model.receptiveField("conv1", 3, 5));
        assertEquals(new ReceptiveField(-3 + 2 * 2, -3 + 2 * 6, 8, 8), model.receptiveField("conv2", 2, 6));
        assertEquals(new ReceptiveField(-7 + 4 * 3, -7 + 4 * 4, 18, 18), model.receptiveField("relu3", 3, 4));
        assertEquals(new ReceptiveField(0, 0, 32, 32), model.receptiveField("gap", 0, 0));
        assertEquals(new ReceptiveField(0, 0, 11, 11), model.receptiveField("relu3", 0, 0).clip(32, 32));
        // pixels outside the field have exactly zero gradient; the field is tight (its border rows are used)
        INDArray x = data.get(NDArrayIndex.interval(0, 1));
        ReceptiveField f = model.receptiveField("relu3", 3, 4);
        for (int c = 0; c < 4; c++) {
            INDArray g = model.gradient(x, Targets.neuron("relu3", c, 3, 4)).gradient();
            if (g.amaxNumber().doubleValue() == 0) {
                continue; // inactive unit: no information
            }
            INDArray absSum = org.nd4j.linalg.ops.transforms.Transforms.abs(g).sum(0, 1);
            for (int y = 0; y < 32; y++) {
                for (int xx = 0; xx < 32; xx++) {
                    if (!f.contains(y, xx)) {
                        assertEquals(0.0, absSum.getDouble(y, xx), 0.0, "gradient outside the field at " + y + "," + xx);
                    }
                }
            }
        }
    }

    @Test
    void deconvProjectionEqualsTheDeconvnetGradientAndVanishesOutsideTheField() {
        INDArray x = data.get(NDArrayIndex.interval(0, 2));
        AttributionResult p = DeconvProjection.of(model).project(x, "relu3", 7, 3, 4);
        INDArray g = model.gradient(x, Targets.neuron("relu3", 7, 3, 4), ReluRule.DECONVNET).gradient();
        INDArray acts = model.activations(x, "relu3").get("relu3");
        ReceptiveField f = model.receptiveField("relu3", 3, 4);
        for (int i = 0; i < 2; i++) {
            double a = acts.getDouble(i, 7, 3, 4);
            assertTrue(p.attributions().slice(i).equalsWithEps(g.slice(i).mul(a), 1e-6));
            INDArray s = org.nd4j.linalg.ops.transforms.Transforms.abs(p.attributions().slice(i)).sum(0);
            for (int y = 0; y < 32; y++) {
                for (int xx = 0; xx < 32; xx++) {
                    if (!f.contains(y, xx)) {
                        assertEquals(0.0, s.getDouble(y, xx), 0.0);
                    }
                }
            }
        }
        AttributionResult max = DeconvProjection.of(model).projectChannelMax(x, "relu3", 7);
        assertEquals(acts.get(NDArrayIndex.point(0), NDArrayIndex.point(7)).maxNumber().doubleValue(),
                max.targetValues().getDouble(0), 1e-6);
    }

    @Test
    void gridsAndTheProjectionFigureRender() throws Exception {
        ExampleSearchResult r = ExampleSearch.builder(model).channels("relu3", 3).k(9).build().search(batches(data, 10));
        Unit u = Unit.channel("relu3", 3);
        BufferedImage grid = ExampleGrids.topGrid(r, u, model.inputSpec(), 48);
        List<INDArray> proj = HitProjections.top(model, r, u);
        BufferedImage fig = ExampleGrids.projectionFigure(r, u, proj, model.inputSpec(), 48);
        assertEquals(9, proj.size());
        assertTrue(grid.getWidth() > 3 * 48 && fig.getWidth() > 6 * 48);
        // the projection computed on the crop-only canvas equals the one on the original image
        Hit h = r.top(u).get(0);
        INDArray orig = data.get(NDArrayIndex.interval(h.index(), h.index() + 1));
        INDArray full = DeconvProjection.of(model).project(orig, "relu3", 3, h.y(), h.x()).attributions();
        ReceptiveField f = h.field();
        INDArray crop = full.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(f.top(),
                f.top() + f.height()), NDArrayIndex.interval(f.left(), f.left() + f.width()));
        assertTrue(crop.equalsWithEps(proj.get(0), 1e-5));
    }

    @Test
    void meanReductionAndImageFoldersWork() throws Exception {
        ExampleSearchResult r = ExampleSearch.builder(model).channels("relu3", 2).k(1)
                .reduction(ExampleSearch.Reduction.MEAN).build().search(batches(data, 16));
        INDArray a = model.activations(data, "relu3").get("relu3");
        INDArray means = a.get(NDArrayIndex.all(), NDArrayIndex.point(2)).reshape(N, -1).mean(1);
        Hit best = r.top(Unit.channel("relu3", 2)).get(0);
        assertEquals(means.argMax(0).getLong(0), best.index());
        assertEquals(means.maxNumber().doubleValue(), best.value(), 1e-5);
        // an image folder streams PNGs in name order, converted to the model's input space
        File folder = dir.resolve("images").toFile();
        for (int i = 0; i < 3; i++) {
            BufferedImage img = org.deeplearning4j.interpret.render.Heatmaps.inputImage(data.slice(i),
                    model.inputSpec());
            org.deeplearning4j.interpret.render.Heatmaps.writePng(img, new File(folder, "img" + i + ".png"));
        }
        ImageFolder images = new ImageFolder(folder, model.inputSpec(), 2);
        INDArray first = images.iterator().next();
        assertEquals(2, first.size(0));
        assertTrue(first.slice(0).equalsWithEps(data.slice(0), 1.0 / 255 + 1e-6), "PNG round trip off by > 1/255");
        ExampleSearchResult fr = ExampleSearch.builder(model).channels("relu3", 2).k(2).build()
                .search(images.iterator());
        assertEquals(3, fr.examples());
    }

    @Test
    void receptiveFieldsFollowResidualBranchesAndBoundGradientsAndProjections() {
        InterpretableModel g = Models.builder(org.deeplearning4j.interpret.testing.TestNets.resnetLike(
                org.nd4j.linalg.api.buffer.DataType.DOUBLE, 5)).inputSpec(InputSpec.builder().shape(3, 10, 10).build())
                .build();
        // stem 3x3 (3 px) -> residual branch b_conv 3x3 (5 px); add = union; merge with 1x1 side; pad 1; pool 3x3/2
        assertEquals(new ReceptiveField(-1 + 4, -1 + 2, 3, 3), g.receptiveField("stem_relu", 4, 2));
        assertEquals(new ReceptiveField(-2 + 4, -2 + 2, 5, 5), g.receptiveField("add", 4, 2));
        assertEquals(new ReceptiveField(-2 + 4, -2 + 2, 5, 5), g.receptiveField("merge", 4, 2));
        assertEquals(new ReceptiveField(-3 + 2 * 2, -3 + 2 * 3, 7, 7), g.receptiveField("pool", 2, 3));
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 1, 3, 10, 10);
        ReceptiveField f = g.receptiveField("pool", 2, 3);
        for (int c = 0; c < 6; c++) {
            INDArray grad = g.gradient(x, Targets.neuron("pool", c, 2, 3)).gradient();
            INDArray proj = DeconvProjection.of(g).project(x, "pool", c, 2, 3).attributions();
            for (INDArray m : List.of(grad, proj)) {
                INDArray s = org.nd4j.linalg.ops.transforms.Transforms.abs(m.slice(0)).sum(0);
                for (int y = 0; y < 10; y++) {
                    for (int xx = 0; xx < 10; xx++) {
                        if (!f.contains(y, xx)) {
                            assertEquals(0.0, s.getDouble(y, xx), 0.0, "nonzero outside the field at " + y + "," + xx);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badInputGetsClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> search(3).search(new ArrayList<INDArray>().iterator())).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ExampleSearch.builder(model).channels("relu3", 1).k(0).build()).getMessage().contains("k must"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ExampleSearch.builder(model).channels("relu3", 32).build()).getMessage().contains("0..31"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ExampleSearch.builder(model).units(Unit.neuron("relu3", 1, 8, 0)).build()).getMessage()
                .contains("outside layer"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ExampleSearch.builder(model).channels("nope", 1).build()).getMessage().contains("Valid layer"));
        String size = assertThrows(IllegalArgumentException.class, () -> search(3).search(
                List.of(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 20, 20))
                        .iterator())).getMessage();
        assertTrue(size.contains("32x32") && size.contains("20x20"), size);
    }
}
