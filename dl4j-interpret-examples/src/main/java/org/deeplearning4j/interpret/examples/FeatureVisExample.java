package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.featurevis.Parameterizations;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * What does each channel of the small CNN look for, and what does it think each class looks like? Trains the CNN on
 * synthetic shapes, then optimises images (decorrelated Fourier parameterization, standard transforms, Adam): one per
 * channel of the last convolution, one class model per class (logit minus an L2 penalty, as Simonyan et al.), three
 * diverse restarts of one channel, and DeepDream from a held-out image. Writes PNG grids, {@code .npy} arrays and an
 * HTML report.
 *
 * <pre>mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.FeatureVisExample</pre>
 */
public final class FeatureVisExample {
    private static final Logger log = LoggerFactory.getLogger(FeatureVisExample.class);
    private static final int SIZE = 32;
    private static final int STEPS = 256;
    private static final String LAYER = "conv3";

    private FeatureVisExample() {
    }

    /** @param args optional output folder */
    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 && !args[0].endsWith("quickstart") ? args[0]
                : "interpret-output/feature-vis");
        MultiLayerNetwork net = ShapesCnn.build(SIZE, 7);
        ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(4000), 3, 3);
        InterpretableModel model = Models.builder(net).inputSpec(InputSpec.builder().shape(3, SIZE, SIZE).build())
                .build();
        FeatureVisualization fv = FeatureVisualization.builder().steps(STEPS).seed(1).thresholds(0, 16, 64).build();
        HtmlReport.Builder report = HtmlReport.builder("Feature visualization of the shapes CNN");

        int channels = (int) model.layer(LAYER).outputShape()[0];
        int[] all = new int[channels];
        List<String> caps = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            all[c] = c;
            caps.add(LAYER + ":" + c);
        }
        FeatureVisResult perChannel = fv.channels(model, LAYER, all);
        FeatureVisImages.writePngs(perChannel, out, LAYER, caps);
        perChannel.saveImages(new File(out, LAYER + "-channels.npy"));
        FeatureVisImages.addTo(report, "Every channel of " + LAYER, perChannel, caps);

        List<Objective> classModels = new ArrayList<>();
        List<String> classCaps = new ArrayList<>();
        for (int k = 0; k < SyntheticShapes.numClasses(); k++) {
            classModels.add(Objectives.classLogit(k).minus(Objectives.l2().times(1.0)));
            classCaps.add(SyntheticShapes.CLASS_NAMES[k]);
        }
        FeatureVisResult classes = fv.run(model, Objectives.perImage(classModels));
        FeatureVisImages.writePngs(classes, out, "classes", classCaps);
        FeatureVisImages.addTo(report, "Class models: logit - L2", classes, classCaps);

        Objective diverse = Objectives.channel(LAYER, 5).minus(Objectives.diversity("relu2").times(20));
        FeatureVisResult restarts = FeatureVisualization.builder().steps(STEPS).seed(2).images(3).build()
                .run(model, diverse);
        FeatureVisImages.writePngs(restarts, out, "diverse", null);
        FeatureVisImages.addTo(report, "Three diverse restarts", restarts, null);
        report.section("Optimisation progress of the first restart", "Snapshots at steps 0, 16, 64 and the end.")
                .image(FeatureVisImages.progress(restarts, 0, 96), "steps");

        INDArray photo = SyntheticShapes.builder().size(SIZE).seed(99).build().generate(1).features();
        FeatureVisResult dream = FeatureVisualization.builder().steps(64).seed(3).learningRate(0.02)
                .parameterization(Parameterizations.pixel()).build()
                .run(model, Objectives.deepDream("relu2"), model.inputSpec().toDisplay(photo).muli(0.98).addi(0.01));
        report.section("DeepDream on relu2", "From a held-out image (left) after 64 pixel-space steps (right).")
                .image(Heatmaps.scale(Heatmaps.inputImage(photo.slice(0), model.inputSpec()), 128, 128), "input")
                .image(Heatmaps.scale(FeatureVisImages.image(dream, 0), 128, 128), dream.objective());

        File html = new File(out, "report.html");
        report.build().write(html);
        log.info("Wrote {} and the PNGs beside it", html.getAbsolutePath());
    }
}
