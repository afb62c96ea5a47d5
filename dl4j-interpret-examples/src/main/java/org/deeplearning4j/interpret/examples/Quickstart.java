package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Deconvnet;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.GuidedGradCam;
import org.deeplearning4j.interpret.attribution.FeatureAblation;
import org.deeplearning4j.interpret.attribution.GradientShap;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.KernelShap;
import org.deeplearning4j.interpret.attribution.Lime;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.ScoreCam;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.attribution.ShapleyValueSampling;
import org.deeplearning4j.interpret.segmentation.Segmenter;
import org.deeplearning4j.interpret.segmentation.Segmenters;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.Colormap;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The quickstart: trains a small CNN on synthetic shapes (no download, under a minute on 2 cores), explains a few
 * held-out images with every attribution method (saliency, gradient x input, occlusion, integrated gradients,
 * SmoothGrad, guided backprop, deconvnet, Grad-CAM, Grad-CAM++, guided Grad-CAM, Score-CAM, GradientSHAP, and LIME,
 * KernelSHAP, Shapley sampling and feature ablation over superpixels), and writes PNGs, .npy
 * arrays and an HTML report.
 *
 * <pre>mvn -q -pl dl4j-interpret-examples -am install -DskipTests &amp;&amp; mvn -q -pl dl4j-interpret-examples exec:java</pre>
 *
 * The output folder is the first argument (default {@code interpret-output/quickstart}).
 */
public final class Quickstart {
    private static final Logger log = LoggerFactory.getLogger(Quickstart.class);
    private static final int SIZE = 32;
    private static final int TRAIN = 4000;
    private static final int EPOCHS = 3;
    private static final int SHOWN = 6;
    /** Display size of each cell: the 32x32 images enlarged 4x. */
    private static final int CELL = 128;

    private Quickstart() {
    }

    /** One column of the report. */
    private static final class Method {
        final String caption;
        final AttributionResult result;
        final Colormap cmap;
        final boolean overlay;

        Method(String caption, AttributionResult result, Colormap cmap, boolean overlay) {
            this.caption = caption;
            this.result = result;
            this.cmap = cmap;
            this.overlay = overlay;
        }
    }

    /** @param args optional output folder */
    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 ? args[0] : "interpret-output/quickstart");
        log.info("Training the small CNN on {} synthetic shape images ({} epochs)...", TRAIN, EPOCHS);
        MultiLayerNetwork net = ShapesCnn.build(SIZE, 7);
        ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(TRAIN), EPOCHS, 3);
        SyntheticShapes.Sample test = SyntheticShapes.builder().size(SIZE).seed(99).build().generate(200);
        log.info("Held-out accuracy: {}", String.format("%.3f", ShapesCnn.accuracy(net, test)));

        // --- the 10 lines a user writes ---
        InterpretableModel model = Models.builder(net)
                .inputSpec(InputSpec.builder().shape(3, SIZE, SIZE).pixelRange(0, 1).build()).build();
        long[] shownIndex = everyClassFirst(test.classes(), SHOWN);
        INDArray images = test.features().get(NDArrayIndex.indices(shownIndex));
        AttributionResult saliency = Saliency.of(model).attribute(images, Targets.predicted());
        AttributionResult gxi = GradientXInput.of(model).attribute(images, Targets.predicted());
        AttributionResult occlusion = Occlusion.builder(model).window(6).stride(2).build()
                .attribute(images, Targets.predictedProbability());
        // ----------------------------------
        log.info("Running the rest of the attribution family...");
        List<Method> methods = new ArrayList<>();
        methods.add(new Method("saliency", saliency, Colormap.INFERNO, true));
        methods.add(new Method("gradient x input", gxi, Colormap.RDBU, false));
        methods.add(new Method("occlusion 6x6/2", occlusion, Colormap.VIRIDIS, true));
        methods.add(new Method("IG 50 GL steps", IntegratedGradients.of(model).attribute(images, Targets.predicted()),
                Colormap.RDBU, false));
        methods.add(new Method("SmoothGrad 25x15%", NoiseTunnel.builder(model, Saliency.of(model)).seed(1).build()
                .attribute(images, Targets.predicted()), Colormap.INFERNO, true));
        methods.add(new Method("guided backprop", GuidedBackprop.of(model).attribute(images, Targets.predicted()),
                Colormap.INFERNO, true));
        methods.add(new Method("deconvnet", Deconvnet.of(model).attribute(images, Targets.predicted()),
                Colormap.INFERNO, true));
        GradCam gradCam = GradCam.builder(model).layer("relu3").build();
        methods.add(new Method("Grad-CAM relu3", gradCam.attribute(images, Targets.predicted()), Colormap.VIRIDIS,
                true));
        methods.add(new Method("Grad-CAM++ relu3", GradCam.builder(model).layer("relu3")
                .variant(GradCam.Variant.PLUS_PLUS).build().attribute(images, Targets.predicted()), Colormap.VIRIDIS,
                true));
        methods.add(new Method("guided Grad-CAM", GuidedGradCam.of(model, gradCam)
                .attribute(images, Targets.predicted()), Colormap.INFERNO, true));
        methods.add(new Method("Score-CAM relu3", ScoreCam.builder(model).layer("relu3").build()
                .attribute(images, Targets.predictedProbability()), Colormap.VIRIDIS, true));
        methods.add(new Method("GradientSHAP 25 draws", GradientShap.builder(model).samples(25).build()
                .attribute(images, Targets.predicted()), Colormap.RDBU, false));
        methods.add(new Method("DeepLIFT (zeros)", org.deeplearning4j.interpret.attribution.DeepLift.builder(model)
                .build().attribute(images, Targets.predicted()), Colormap.RDBU, false));
        methods.add(new Method("LRP z^B/gamma/epsilon", org.deeplearning4j.interpret.attribution.Lrp.builder(model)
                .composite(org.deeplearning4j.interpret.gradient.LrpComposite.montavon(0, 1)).build()
                .attribute(images, Targets.predicted()), Colormap.RDBU, false));
        Segmenter superpixels = Segmenters.slic(20, Segmenters.DEFAULT_SLIC_COMPACTNESS);
        methods.add(new Method("LIME 20 superpixels", Lime.builder(model).segmenter(superpixels).samples(500).build()
                .attribute(images, Targets.predictedProbability()), Colormap.RDBU, true));
        methods.add(new Method("KernelSHAP 20 superpixels", KernelShap.builder(model).segmenter(superpixels)
                .samples(500).build().attribute(images, Targets.predictedProbability()), Colormap.RDBU, true));
        methods.add(new Method("Shapley sampling 10 orders", ShapleyValueSampling.builder(model)
                .segmenter(superpixels).samples(10).build().attribute(images, Targets.predictedProbability()),
                Colormap.RDBU, true));
        methods.add(new Method("feature ablation", FeatureAblation.builder(model).segmenter(superpixels).build()
                .attribute(images, Targets.predictedProbability()), Colormap.RDBU, true));

        int[] predicted = model.logits(images).argMax(1).toIntVector();
        HtmlReport.Builder report = HtmlReport.builder("dl4j-interpret quickstart: why does the CNN see a shape?")
                .section("Setup", "A 3-conv CNN trained on synthetic shapes (square, disk, triangle, plus) on textured "
                        + "backgrounds; the class depends only on the shape. Execution path: " + model.executionPath()
                        + ". Each row: the input, then one map per method for the predicted class (signed maps: blue "
                        + "negative, red positive; occlusion: drop in probability when a 6x6 grey patch covers a "
                        + "pixel; Score-CAM, LIME, KernelSHAP, Shapley sampling and feature ablation use probabilities, "
                        + "the last four over 20 SLIC superpixels filled with grey when removed).");
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<BufferedImage> readmeCells = new ArrayList<>();
        List<String> readmeCaptions = new ArrayList<>();
        for (int i = 0; i < SHOWN; i++) {
            BufferedImage input = Heatmaps.scale(Heatmaps.inputImage(images.slice(i), model.inputSpec()), CELL, CELL);
            String label = SyntheticShapes.CLASS_NAMES[predicted[i]];
            List<BufferedImage> row = new ArrayList<>(List.of(input));
            List<String> rowCaptions = new ArrayList<>(List.of("input: " + label));
            for (Method m : methods) {
                BufferedImage heat = Heatmaps.heatmap(m.result.map(i), m.cmap);
                row.add(m.overlay ? Heatmaps.overlay(input, heat, 0.6) : Heatmaps.scale(heat, CELL, CELL));
                rowCaptions.add(m.caption);
            }
            cells.addAll(row);
            captions.addAll(rowCaptions);
            readmeCells.addAll(row.subList(0, 4));
            readmeCaptions.addAll(rowCaptions.subList(0, 4));
            report.section("Example " + (i + 1) + ": predicted " + label + " (true "
                    + SyntheticShapes.CLASS_NAMES[test.classes()[(int) shownIndex[i]]] + ")", "");
            for (int k = 0; k < row.size(); k++) {
                report.image(row.get(k), rowCaptions.get(k));
                Heatmaps.writePng(row.get(k), new File(out, "example" + (i + 1) + "_" + k + ".png"));
            }
        }
        Heatmaps.writePng(Heatmaps.grid(cells, captions, methods.size() + 1, CELL), new File(out, "all_methods.png"));
        Heatmaps.writePng(Heatmaps.grid(readmeCells, readmeCaptions, 4, CELL), new File(out, "grid.png"));
        saliency.saveAttributionsNpy(new File(out, "saliency.npy"));
        gxi.saveAttributionsNpy(new File(out, "gradient_x_input.npy"));
        occlusion.saveMapNpy(new File(out, "occlusion_map.npy"));
        File html = new File(out, "report.html");
        report.build().write(html);
        log.info("Wrote the report, PNGs and .npy arrays to {}", out.getAbsolutePath());
        log.info("Open {} in a browser", html.getAbsolutePath());
    }

    /**
     * @param classes class of each test image
     * @param n how many to show
     * @return indices: the first image of every class, then the next images in order, so that all classes show
     */
    static long[] everyClassFirst(int[] classes, int n) {
        java.util.LinkedHashSet<Long> chosen = new java.util.LinkedHashSet<>();
        for (int c = 0; c < SyntheticShapes.numClasses(); c++) {
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] == c) {
                    chosen.add((long) i);
                    break;
                }
            }
        }
        for (int i = 0; i < classes.length && chosen.size() < n; i++) {
            chosen.add((long) i);
        }
        return chosen.stream().limit(n).mapToLong(Long::longValue).sorted().toArray();
    }
}
