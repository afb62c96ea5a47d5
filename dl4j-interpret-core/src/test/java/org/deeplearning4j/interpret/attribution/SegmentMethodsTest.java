package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.segmentation.Segmentation;
import org.deeplearning4j.interpret.segmentation.Segmenter;
import org.deeplearning4j.interpret.segmentation.Segmenters;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.LinearModels;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LIME, KernelSHAP, Shapley value sampling and feature ablation against answers known in closed form (a model linear
 * in its input is additive in any segments) and against Shapley values enumerated by brute force on nonlinear CNNs.
 */
class SegmentMethodsTest {
    private static final int C = 2;
    private static final int H = 4;
    private static final int W = 6;
    private static final int CLS = 1;
    private static final double B = 0.25;

    @org.junit.jupiter.api.BeforeEach
    void seedEachTest() {
        Nd4j.getRandom().setSeed(20261201L);
    }

    private static InterpretableModel model(MultiLayerNetwork net, ExecutionPath p) {
        return Models.builder(net).executionPath(p).build();
    }

    /** Each segment's contribution to a linear logit: sum over its pixels and channels of w * (x - baseline). */
    private static double[] contributions(MultiLayerNetwork net, INDArray x, int example, int[] labels, int g) {
        INDArray w = net.getLayer(0).getParam("W").getColumn(CLS).dup().reshape(C, H, W);
        double[] v = new double[g];
        for (int c = 0; c < C; c++) {
            for (int p = 0; p < H * W; p++) {
                v[labels[p]] += w.getDouble(c, p / W, p % W) * (x.getDouble(example, c, p / W, p % W) - B);
            }
        }
        return v;
    }

    private static List<Function<InterpretableModel, Attribution>> methods(Segmenter s, int kernelShapSamples) {
        List<Function<InterpretableModel, Attribution>> m = new ArrayList<>();
        m.add(model -> FeatureAblation.builder(model).segmenter(s).baseline(Baselines.constant(B)).build());
        m.add(model -> ShapleyValueSampling.builder(model).segmenter(s).baseline(Baselines.constant(B)).samples(3)
                .build());
        m.add(model -> KernelShap.builder(model).segmenter(s).baseline(Baselines.constant(B))
                .samples(kernelShapSamples).build());
        m.add(model -> Lime.builder(model).segmenter(s).baseline(Baselines.constant(B)).ridge(0).samples(300)
                .build());
        return m;
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void everySegmentMethodRecoversEachSegmentsContributionOnALinearModel(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 7);
        InterpretableModel model = model(net, p);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, C, H, W);
        // 4 segments: KernelSHAP enumerates its 14 coalitions; 6 segments with 40 samples: it samples
        for (Segmenter s : List.of(Segmenters.grid(2, 3), Segmenters.grid(2, 2))) {
            for (Function<InterpretableModel, Attribution> f : methods(s, 40)) {
                Attribution a = f.apply(model);
                AttributionResult r = a.attribute(x, Targets.logit(CLS));
                SegmentScores scores = r.segments().orElseThrow();
                for (int i = 0; i < 2; i++) {
                    int[] labels = scores.labels(i);
                    int g = scores.segmentation().segmentsFor(i);
                    double[] expected = contributions(net, x, i, labels, g);
                    assertArrayEquals(expected, scores.scores(i), 1e-8, a.name() + " on " + s + ", example " + i);
                    // the map shows each pixel's segment score; the raw attributions sum to the scores
                    for (int q = 0; q < H * W; q++) {
                        assertEquals(expected[labels[q]], r.map().getDouble(i, q / W, q % W), 1e-8);
                    }
                    assertEquals(java.util.Arrays.stream(expected).sum(),
                            r.attributions().get(NDArrayIndex.point(i)).sumNumber().doubleValue(), 1e-8);
                }
                r.convergenceDelta().ifPresent(d -> assertEquals(0, d.amaxNumber().doubleValue(), 1e-8,
                        a.name() + ": Shapley values must sum to f(x) - f(baseline)"));
            }
        }
    }

    @Test
    void limeWithItsDefaultRidgeStaysCloseToTheLinearContributions() {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 8);
        InterpretableModel model = model(net, ExecutionPath.AUTO);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, C, H, W);
        AttributionResult r = Lime.builder(model).segmenter(Segmenters.grid(2, 2)).baseline(Baselines.constant(B))
                .build().attribute(x, Targets.logit(CLS));
        double[] expected = contributions(net, x, 0, r.segments().get().labels(0), 6);
        double scale = java.util.Arrays.stream(expected).map(Math::abs).max().orElse(1);
        assertArrayEquals(expected, r.segments().get().scores(0), 0.05 * scale, "ridge 1 shrinks only slightly");
    }

    /** Exact Shapley values of the segments by enumerating every coalition: the textbook formula, independently. */
    private static double[] bruteForceShapley(InterpretableModel model, INDArray x, INDArray base, int[] labels,
            int g, Target t) {
        int all = 1 << g;
        INDArray batch = Nd4j.create(x.dataType(), all, x.size(1), x.size(2), x.size(3));
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        for (int m = 0; m < all; m++) {
            for (int c = 0; c < x.size(1); c++) {
                for (int q = 0; q < h * w; q++) {
                    boolean kept = ((m >> labels[q]) & 1) == 1;
                    batch.putScalar(new long[] {m, c, q / w, q % w},
                            kept ? x.getDouble(0, c, q / w, q % w) : base.getDouble(0, c, q / w, q % w));
                }
            }
        }
        INDArray v = model.values(batch, t);
        double[] phi = new double[g];
        double[] fact = new double[g + 1];
        fact[0] = 1;
        for (int k = 1; k <= g; k++) {
            fact[k] = fact[k - 1] * k;
        }
        for (int s = 0; s < g; s++) {
            for (int m = 0; m < all; m++) {
                if (((m >> s) & 1) == 0) {
                    int size = Integer.bitCount(m);
                    double weight = fact[size] * fact[g - size - 1] / fact[g];
                    phi[s] += weight * (v.getDouble(m | (1 << s)) - v.getDouble(m));
                }
            }
        }
        return phi;
    }

    @Test
    void kernelShapIsExactAndShapleySamplingConvergesOnNonlinearCnns() {
        List<InterpretableModel> models = List.of(
                Models.builder(TestNets.vggLike(DataType.DOUBLE, 3)).inputSpec(TestNets.vggSpec()).build(),
                Models.builder(TestNets.resnetLike(DataType.DOUBLE, 4))
                        .inputSpec(org.deeplearning4j.interpret.model.InputSpec.builder().shape(3, 10, 10).build())
                        .build());
        for (InterpretableModel model : models) {
            long side = model.inputSpec().height();
            INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 3, side, side);
            Segmenter grid = Segmenters.grid((int) (side + 1) / 2, (int) (side + 2) / 3); // 2 x 3 = 6 segments
            Target t = Targets.logit(0);
            INDArray base = Nd4j.valueArrayOf(x.shape(), 0.5, DataType.DOUBLE);
            int[] labels = grid.segment(x).labels(0);
            double[] exact = bruteForceShapley(model, x, base, labels, 6, t);
            AttributionResult k = KernelShap.builder(model).segmenter(grid).baseline(Baselines.constant(0.5))
                    .samples(62).build().attribute(x, t);
            assertArrayEquals(exact, k.segments().get().scores(0), 1e-9, "KernelSHAP with all 62 coalitions");
            AttributionResult s = ShapleyValueSampling.builder(model).segmenter(grid)
                    .baseline(Baselines.constant(0.5)).samples(400).build().attribute(x, t);
            double range = java.util.Arrays.stream(exact).map(Math::abs).max().orElse(1);
            assertArrayEquals(exact, s.segments().get().scores(0), 0.15 * range, "400 random orders");
            assertEquals(0, s.convergenceDelta().get().getDouble(0), 1e-9);
        }
    }

    @Test
    void seededResultsDependNeitherOnTheBatchAnImageIsInNorOnTheChunkSize() {
        InterpretableModel model = Models.builder(TestNets.vggLike(DataType.DOUBLE, 5)).inputSpec(TestNets.vggSpec())
                .build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, 12, 12);
        Segmenter grid = Segmenters.grid(4, 4); // 9 segments: KernelSHAP samples
        List<Function<Integer, Attribution>> methods = List.of(
                b -> ShapleyValueSampling.builder(model).segmenter(grid).samples(4).maxBatchSize(b).build(),
                b -> KernelShap.builder(model).segmenter(grid).samples(50).maxBatchSize(b).build(),
                b -> Lime.builder(model).segmenter(grid).samples(50).maxBatchSize(b).build(),
                b -> FeatureAblation.builder(model).segmenter(grid).maxBatchSize(b).build(),
                b -> GradientShap.builder(model).samples(7).noiseStdev(0.1).maxBatchSize(b).build());
        Target t = Targets.logit(2);
        for (Function<Integer, Attribution> f : methods) {
            INDArray batched = f.apply(64).attribute(x, t).attributions();
            INDArray alone = f.apply(3).attribute(x.get(NDArrayIndex.interval(1, 2)), t).attributions();
            assertTrue(batched.get(NDArrayIndex.interval(1, 2)).equalsWithEps(alone, 1e-9),
                    f.apply(3).name() + " depends on the batch or the chunk size");
        }
    }

    @Test
    void optionsAndSegmentationsAreCheckedBeforeAnyImageIsEvaluated() {
        InterpretableModel model = model(LinearModels.linear(C, H, W, 3, 9), ExecutionPath.AUTO);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, C, H, W);
        assertThrows(IllegalArgumentException.class, () -> KernelShap.builder(model).samples(1).build());
        assertThrows(IllegalArgumentException.class, () -> ShapleyValueSampling.builder(model).samples(0).build());
        assertThrows(IllegalArgumentException.class, () -> Lime.builder(model).kernelWidth(0).build());
        assertThrows(IllegalArgumentException.class, () -> Lime.builder(model).ridge(-1).build());
        assertThrows(IllegalArgumentException.class, () -> Lime.builder(model).segmenter(null).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureAblation.builder(model).maxBatchSize(0).build());
        List<Object> events = new ArrayList<>();
        Segmentation wrongSize = Segmentation.of(Nd4j.zeros(DataType.INT, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Lime.builder(model).segmenter(Segmenters.fixed(wrongSize)).progress(events::add).build()
                        .attribute(x, Targets.logit(0)));
        assertTrue(e.getMessage().contains("3x3") && e.getMessage().contains("4x6"), e.getMessage());
        Segmentation threeImages = Segmentation.of(Nd4j.zeros(DataType.INT, 3, H, W));
        e = assertThrows(IllegalArgumentException.class, () -> KernelShap.builder(model)
                .segmenter(Segmenters.fixed(threeImages)).progress(events::add).build().attribute(x, Targets.logit(0)));
        assertTrue(e.getMessage().contains("3 examples"), e.getMessage());
        assertTrue(events.isEmpty(), "work started before the checks: " + events);
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionPath.class, names = {"SAMEDIFF", "DL4J_LAYERS"})
    void featurePermutationScoresEachSegmentAgainstTheSameSegmentOfAnotherImage(ExecutionPath p) {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 14);
        InterpretableModel model = model(net, p);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, C, H, W);
        AttributionResult r = FeaturePermutation.builder(model).segmenter(Segmenters.grid(2, 3)).build()
                .attribute(x, Targets.logit(CLS));
        INDArray w = net.getLayer(0).getParam("W").getColumn(CLS).dup().reshape(C, H, W);
        for (int i = 0; i < 2; i++) { // two images: each is the other's partner
            int[] labels = r.segments().get().labels(i);
            double[] expected = new double[4];
            for (int c = 0; c < C; c++) {
                for (int q = 0; q < H * W; q++) {
                    expected[labels[q]] += w.getDouble(c, q / W, q % W)
                            * (x.getDouble(i, c, q / W, q % W) - x.getDouble(1 - i, c, q / W, q % W));
                }
            }
            assertArrayEquals(expected, r.segments().get().scores(i), 1e-9);
        }
        assertThrows(IllegalArgumentException.class, () -> FeaturePermutation.of(model)
                .attribute(x.get(NDArrayIndex.interval(0, 1)), Targets.logit(CLS)), "one image has no partner");
        assertThrows(IllegalArgumentException.class,
                () -> FeaturePermutation.builder(model).baseline(Baselines.zeros()).build());
    }

    @Test
    void aSingleSegmentGetsTheWholeDifferenceAndAUserMaskIsUsedAsGiven() {
        MultiLayerNetwork net = LinearModels.linear(C, H, W, 3, 10);
        InterpretableModel model = model(net, ExecutionPath.AUTO);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, C, H, W);
        double fx = model.logits(x).getDouble(0, CLS);
        double f0 = model.logits(Nd4j.valueArrayOf(x.shape(), B, DataType.DOUBLE)).getDouble(0, CLS);
        Segmenter whole = Segmenters.fixed(Segmentation.of(Nd4j.zeros(DataType.INT, H, W)));
        for (Attribution a : List.of(KernelShap.builder(model).segmenter(whole).baseline(Baselines.constant(B))
                .build(), ShapleyValueSampling.builder(model).segmenter(whole).baseline(Baselines.constant(B)).build())) {
            assertEquals(fx - f0, a.attribute(x, Targets.logit(CLS)).segments().get().scores(0)[0], 1e-9, a.name());
        }
        INDArray mask = Nd4j.zeros(DataType.INT, H, W);
        mask.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)).assign(7); // left and right halves
        AttributionResult r = FeatureAblation.builder(model).segmenter(Segmenters.fixed(Segmentation.of(mask)))
                .baseline(Baselines.constant(B)).build().attribute(x, Targets.logit(CLS));
        int[] labels = r.segments().get().labels(0);
        assertEquals(0, labels[0]);
        assertEquals(1, labels[5]);
        assertArrayEquals(contributions(net, x, 0, labels, 2), r.segments().get().scores(0), 1e-9);
    }
}
