package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.data.FashionMnist;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.listener.InterpretationListener;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;

/**
 * Interpretation while training: the small VGG-style network learns Fashion-MNIST (read from the standard IDX files:
 * Debian's {@code dataset-fashion-mnist} location by default, or a folder given as the second argument) with an
 * {@link InterpretationListener} attached in two lines. Every 100 iterations and at each epoch end it snapshots
 * saliency, integrated gradients and Grad-CAM on six fixed test images, feature visualizations of four channels and
 * their most activating probes, into a timeline report; training runs on while the listener works on its own copy.
 *
 * <pre>mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.FashionMnistTimeline
 * -Dexample.args="interpret-output/fashion-timeline /usr/share/datasets/fashion-mnist"</pre>
 */
public final class FashionMnistTimeline {
    private static final Logger log = LoggerFactory.getLogger(FashionMnistTimeline.class);
    private static final int TRAIN = 12000;
    private static final int EPOCHS = 2;
    private static final int BATCH = 64;

    private FashionMnistTimeline() {
    }

    /** @param rawArgs output folder, then the Fashion-MNIST folder (both optional) */
    public static void main(String[] rawArgs) throws Exception {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        File out = new File(args.length > 0 && !args[0].endsWith("quickstart") ? args[0]
                : "interpret-output/fashion-timeline");
        File data = args.length > 1 ? new File(args[1]) : FashionMnist.DEFAULT_DIR;
        DataSet train = FashionMnist.load(data, true, TRAIN);
        DataSet test = FashionMnist.load(data, false, 1000);
        ZooEntry entry = Zoo.smallVgg();
        ComputationGraph net = entry.randomInit(7);

        InterpretationListener timeline = InterpretationListener.builder(out,
                test.getFeatures().get(NDArrayIndex.interval(0, 6))).inputSpec(entry.inputSpec()).everyIterations(100)
                .attribution("Saliency", Saliency::of, Targets.predicted())
                .attribution("Integrated gradients", IntegratedGradients::of, Targets.predicted())
                .attribution("Grad-CAM", m -> GradCam.builder(m).layer(entry.gradCamLayer()).build(),
                        Targets.predicted())
                .featureVisualization("block3_conv2", new int[] {0, 1, 2, 3},
                        FeatureVisualization.builder().steps(96).logProgress(false).build())
                .topActivations("block3_conv2", new int[] {0, 1, 2, 3}, 3)
                .build();
        net.addListeners(timeline);

        for (int e = 0; e < EPOCHS; e++) {
            train.shuffle(e);
            net.fit(new ListDataSetIterator<>(train.asList(), BATCH));
            Evaluation ev = net.evaluate(new ListDataSetIterator<>(test.asList(), BATCH));
            log.info("epoch {}: test accuracy {}", e + 1, String.format("%.3f", ev.accuracy()));
        }
        timeline.close();
        log.info("Timeline with {} snapshots ({} failures) in {}", timeline.completedSnapshots(), timeline.failures(),
                timeline.report().getAbsolutePath());
    }
}
