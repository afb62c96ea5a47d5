package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Feature visualization on the trained shapes CNN: objectives rise, channels beat the dataset, runs reproduce. */
class FeatureVisualizationTest {
    private static final String LAST_CONV = "conv3";
    private static InterpretableModel model;

    @BeforeAll
    static void trained() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        model = Models.builder(TrainedShapes.network())
                .inputSpec(InputSpec.builder().shape(3, TrainedShapes.SIZE, TrainedShapes.SIZE).build()).build();
    }

    @BeforeEach
    void seed() {
        Nd4j.getRandom().setSeed(20261125L);
    }

    static Stream<Objective> everyObjective() {
        double[] v = new double[32];
        Random r = new Random(4);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Stream.of(Objectives.neuron("conv2", 5, 8, 8), Objectives.channel(LAST_CONV, 7),
                Objectives.deepDream("relu3"), Objectives.classLogit(1), Objectives.classProbability(2),
                Objectives.direction("relu3", v), Objectives.direction("relu3", v, 1.0),
                Objectives.directionAt("relu3", v, 4, 4, 1.0), Objectives.diversity("relu2").negate(),
                Objectives.channels(LAST_CONV, 0, 1, 2), Objectives.classLogit(3).minus(Objectives.l2().times(0.5))
                        .minus(Objectives.totalVariation().times(0.1)).minus(Objectives.blur().times(1)));
    }

    /**
     * The ascent itself, without transforms (they optimise the expectation over random views, which need not raise
     * the untransformed value in five steps). On this 32-pixel network Adam's first, sign-like steps at Lucid's rate
     * 0.05 overshoot (its activations are far more curved around a grey image than an ImageNet model's), so the
     * check uses 0.01; the longer test below uses the defaults.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyObjective")
    void everyObjectiveIncreasesWithinFiveSteps(Objective o) {
        int batch = o.couplesBatch() ? 3 : FeatureVisualization.AUTO_BATCH;
        FeatureVisResult r = FeatureVisualization.builder().steps(5).learningRate(0.01).transforms(Transforms.none())
                .images(batch).seed(3).thresholds(0).logProgress(false).build().run(model, o);
        INDArray before = FeatureVisualization.evaluate(model, o, r.snapshots().get(0));
        INDArray after = r.values();
        assertTrue(after.sumNumber().doubleValue() > before.sumNumber().doubleValue(),
                o + ": before " + before + " after " + after);
    }

    @Test
    void optimisedImagesBeatTheMostActivatingDatasetImageForMostLastConvChannels() {
        int channels = (int) model.layer(LAST_CONV).outputShape()[0];
        SyntheticShapes.Sample data = TrainedShapes.heldOut(300);
        INDArray acts = model.activations(data.features(), LAST_CONV).get(LAST_CONV);
        INDArray datasetMax = acts.mean(2, 3).max(0); // per channel: the best image's channel mean
        int[] all = new int[channels];
        for (int c = 0; c < channels; c++) {
            all[c] = c;
        }
        FeatureVisResult r = FeatureVisualization.builder().steps(128).images(16).seed(1).logProgress(false).build()
                .channels(model, LAST_CONV, all);
        assertEquals(channels, r.size());
        INDArray optimised = model.activations(model.inputSpec().toModelInput(r.images()), LAST_CONV).get(LAST_CONV)
                .mean(2, 3);
        int wins = 0;
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < channels; c++) {
            double vis = optimised.getDouble(c, c);
            double best = datasetMax.getDouble(c);
            wins += vis > best ? 1 : 0;
            sb.append(String.format("c%d vis %.3f data %.3f%n", c, vis, best));
        }
        assertTrue(wins >= Math.ceil(0.8 * channels), wins + "/" + channels + " channels won\n" + sb);
    }

    @Test
    void theSameSeedGivesTheSameImageAndDifferentSeedsDifferentImages() {
        FeatureVisualization.Builder b = FeatureVisualization.builder().steps(6).logProgress(false);
        Objective o = Objectives.channel(LAST_CONV, 4);
        INDArray a = b.seed(11).build().run(model, o).images();
        INDArray again = b.seed(11).build().run(model, o).images();
        INDArray other = b.seed(12).build().run(model, o).images();
        assertEquals(a, again);
        assertTrue(a.sub(other).amaxNumber().doubleValue() > 1e-3);
    }

    @Test
    void aBatchOfRestartsGivesDistinctImagesAndTheDiversityPenaltyPushesThemApart() {
        Objective plain = Objectives.channel(LAST_CONV, 2);
        Objective diverse = plain.minus(Objectives.diversity("relu2").times(10));
        FeatureVisResult r = FeatureVisualization.builder().steps(30).images(3).seed(5).logProgress(false).build()
                .run(model, diverse);
        assertEquals(3, r.size());
        FeatureVisResult p = FeatureVisualization.builder().steps(30).images(3).seed(5).logProgress(false).build()
                .run(model, plain);
        INDArray divD = FeatureVisualization.evaluate(model, Objectives.diversity("relu2"), r.images());
        INDArray divP = FeatureVisualization.evaluate(model, Objectives.diversity("relu2"), p.images());
        assertTrue(divD.meanNumber().doubleValue() < divP.meanNumber().doubleValue(),
                "similarity with the penalty " + divD + " without " + divP);
    }

    @Test
    void thresholdsKeepSnapshotsAndTheListenerSeesEveryStep() {
        List<Integer> seen = new ArrayList<>();
        FeatureVisResult r = FeatureVisualization.builder().steps(8).thresholds(0, 2, 5).seed(2).logProgress(false)
                .stepListener((step, total, values, images) -> {
                    assertEquals(8, total);
                    assertArrayEquals(new long[] {1, 3, 32, 32}, images.shape());
                    seen.add(step);
                }).build().run(model, Objectives.channel("conv2", 1));
        assertEquals(List.of(0, 2, 5, 8), new ArrayList<>(r.snapshots().keySet()));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), seen);
        assertEquals(8, r.history().length);
        assertEquals(r.images(), r.snapshots().get(8));
    }

    @Test
    void startingFromAnImageKeepsItAtStepZero() {
        INDArray photo = TrainedShapes.heldOut(1).features();
        FeatureVisResult r = FeatureVisualization.builder().steps(3).thresholds(0).seed(2).logProgress(false)
                .build().run(model, Objectives.deepDream("relu2"), photo.mul(0.98).addi(0.01));
        assertTrue(r.snapshots().get(0).equalsWithEps(photo.mul(0.98).addi(0.01), 1e-4));
    }

    @Test
    void fourierParameterizationWithDecorrelationRoundTripsToValidImages() {
        Nd4j.getRandom().setSeed(1);
        for (Parameterization p : List.of(Parameterizations.fourier(), Parameterizations.fourier(false),
                Parameterizations.pixel(true), Parameterizations.pixel())) {
            INDArray img = Nd4j.rand(DataType.DOUBLE, 2, 3, 24, 20).muli(0.9).addi(0.05);
            INDArray back = p.image(p.fromImage(img));
            assertTrue(back.equalsWithEps(img, 1e-8), p + " round trip");
            INDArray wild = p.image(p.init(2, 3, 24, 20, 3, DataType.DOUBLE).muli(1e3));
            assertTrue(wild.minNumber().doubleValue() >= 0 && wild.maxNumber().doubleValue() <= 1, p + " range");
            INDArray fresh = p.image(p.init(1, 3, 24, 20, 3, DataType.DOUBLE));
            assertEquals(0.5, fresh.meanNumber().doubleValue(), 0.05, p + " starts near mid-grey");
        }
        INDArray grey = Nd4j.rand(DataType.DOUBLE, 1, 1, 16, 16);
        Parameterization f = Parameterizations.fourier();
        assertTrue(f.image(f.fromImage(grey.muli(0.9).addi(0.05))).equalsWithEps(grey, 1e-8), "one channel");
    }

    @Test
    void transformsPreserveShapeAndAreSeeded() {
        Transform t = Transforms.standard(32);
        INDArray img = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        Warp a = t.draw(new Random(7), 32, 32);
        Warp b = t.draw(new Random(7), 32, 32);
        assertEquals(a.toString(), b.toString());
        boolean differs = false;
        for (int s = 8; s < 20 && !differs; s++) {
            differs = !t.draw(new Random(s), 32, 32).toString().equals(a.toString());
        }
        assertTrue(differs, "different seeds draw different transforms");
        INDArray out = new Sampler(new Warp[] {a, b}, 32, 32).apply(img);
        assertArrayEquals(img.shape(), out.shape());
        assertTrue(out.minNumber().doubleValue() >= 0 && out.maxNumber().doubleValue() <= 1);
        // an integer jitter moves content exactly
        Warp shift = Transforms.jitter(3).draw(new Random(1), 32, 32);
        INDArray moved = new Sampler(new Warp[] {shift, shift}, 32, 32).apply(img);
        int dy = (int) Math.round(shift.ty);
        int dx = (int) Math.round(shift.tx);
        assertEquals(img.getDouble(1, 2, 16 + dy, 16 + dx), moved.getDouble(1, 2, 16, 16), 1e-6);
        assertTrue(new Sampler(new Warp[] {Transforms.none().draw(new Random(1), 32, 32)}, 32, 32)
                .apply(img.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)))
                .equals(img.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))));
        assertEquals("pad(12) > jitter(8) > scale[0.9..1.1] > rotate[-10..10] > jitter(4)",
                Transforms.standard().description());
    }

    @Test
    void objectivesDescribeThemselvesReadably() {
        assertEquals("Channel[block4_conv3:12] - 0.05*L2",
                Objectives.channel("block4_conv3", 12).minus(Objectives.l2().times(0.05)).description());
        assertEquals("-Neuron[c:1@2,3]", Objectives.neuron("c", 1, 2, 3).negate().description());
        assertEquals("2*(DeepDream[a] + Logit[3]) - 100*Diversity[a] + TV",
                Objectives.deepDream("a").plus(Objectives.classLogit(3)).times(2)
                        .minus(Objectives.diversity("a").times(100)).plus(Objectives.totalVariation()).description());
        assertEquals("Direction[l@1,2, cos^1] + Probability[0] - Blur[1] - L1",
                Objectives.directionAt("l", new double[] {1}, 1, 2, 1).plus(Objectives.classProbability(0))
                        .minus(Objectives.blur()).minus(Objectives.l1()).description());
    }

    @Test
    void badInputGetsClearErrors() {
        FeatureVisualization fv = FeatureVisualization.builder().steps(2).logProgress(false).build();
        String unknown = message(() -> fv.run(model, Objectives.channel("conv9", 0)));
        assertTrue(unknown.contains("conv9") && unknown.contains("conv1") && unknown.contains("relu3"), unknown);
        String channel = message(() -> fv.run(model, Objectives.channel(LAST_CONV, 32)));
        assertTrue(channel.contains("32") && channel.contains("0..31"), channel);
        String neuron = message(() -> fv.run(model, Objectives.neuron("conv2", 0, 16, 3)));
        assertTrue(neuron.contains("(16, 3)") && neuron.contains("16x16"), neuron);
        String penalty = message(() -> fv.run(model, Objectives.l2()));
        assertTrue(penalty.contains("reads no layer"), penalty);
        String perImage = message(() -> FeatureVisualization.builder().images(2).build()
                .run(model, Objectives.channels(LAST_CONV, 0, 1, 2)));
        assertTrue(perImage.contains("3 parts") && perImage.contains("2 images"), perImage);
        String dir = message(() -> fv.run(model, Objectives.direction("relu3", new double[] {1, 2})));
        assertTrue(dir.contains("2 entries") && dir.contains("32 channels"), dir);
        assertTrue(message(() -> FeatureVisualization.builder().steps(0).build()).contains("steps"));
        assertTrue(message(() -> FeatureVisualization.builder().thresholds(600).build()).contains("600"));
        assertTrue(message(() -> Objectives.blur(0)).contains("sigma"));
        assertTrue(message(() -> fv.run(model, Objectives.channel(LAST_CONV, 1), Nd4j.ones(DataType.FLOAT, 1, 3,
                32, 32).muli(2))).contains("[0, 1]"));

        MultiLayerNetwork regression = regressionNet();
        InterpretableModel noSoftmax = Models.builder(regression).inputSpec(InputSpec.builder().shape(1, 8, 8)
                .build()).build();
        String prob = message(() -> fv.run(noSoftmax, Objectives.classProbability(0)));
        assertTrue(prob.contains("softmax") && prob.contains("classLogit"), prob);
    }

    private static MultiLayerNetwork regressionNet() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static String message(Executable e) {
        return assertThrows(IllegalArgumentException.class, e::run).getMessage();
    }

    /** Executable that may throw unchecked exceptions only. */
    @FunctionalInterface
    private interface Executable {
        void run();
    }

    @Test
    void theModelIsUntouched() {
        MultiLayerNetwork net = TrainedShapes.network();
        INDArray before = net.params().dup();
        int listeners = net.getListeners() == null ? 0 : net.getListeners().size();
        FeatureVisualization.builder().steps(3).images(2).logProgress(false).build()
                .run(model, Objectives.deepDream("relu3").minus(Objectives.diversity("relu2")));
        assertEquals(before, net.params());
        assertEquals(listeners, net.getListeners() == null ? 0 : net.getListeners().size());
    }

    @Test
    void resultsRenderAsPngsGridsAndReportSections(@TempDir Path dir) throws Exception {
        FeatureVisResult r = FeatureVisualization.builder().steps(4).thresholds(0, 2).seed(1).logProgress(false)
                .build().channels(model, LAST_CONV, 0, 1, 2);
        List<File> files = FeatureVisImages.writePngs(r, dir.toFile(), "conv3", null);
        assertEquals(4, files.size());
        for (File f : files) {
            assertTrue(f.length() > 100, f + " written");
        }
        assertEquals(3, FeatureVisImages.progress(r, 1, 32).getWidth() / 32 >= 3 ? 3 : -1);
        HtmlReport report = FeatureVisImages.addTo(HtmlReport.builder("fv"), "conv3", r, null).build();
        assertEquals(3, report.imageCount());
        assertTrue(report.toHtml().contains("Channel[conv3:0]"));
        r.saveImages(dir.resolve("images.npy").toFile());
        assertArrayEquals(new long[] {3, 3, 32, 32},
                org.deeplearning4j.interpret.io.Npy.read(dir.resolve("images.npy").toFile()).shape());
        assertFalse(Files.exists(dir.resolve("conv3-3.png")));
    }
}
