package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark harness (not a test): time per feature-visualization step (Fourier parameterization with colour
 * decorrelation, the standard transforms, forward and backward through the network, Adam) on the zoo's VGG16 and
 * ResNet50 at 224x224 with random He weights, as a ratio to one forward pass of the same batch measured in the same
 * run. Goal: under 3x the forward pass per step. Two objectives: a channel (its gradient seed is constant: one
 * forward+backward pass per step, through the network up to that layer) and DeepDream (the seed depends on the
 * activation: an extra forward pass), both at block4_conv3 / res4f; and a class logit (the whole network).
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec
 * -Dexample=org.deeplearning4j.interpret.examples.bench.FeatureVisBenchmark -Dexample.args="vgg16,resnet50 1,4 6"}
 * (models, batch sizes, timed steps per configuration).
 */
public final class FeatureVisBenchmark {
    /** Pairs of (short, long) runs per figure; the median is reported. */
    private static final int REPEATS = 3;

    private FeatureVisBenchmark() {
    }

    /** @param rawArgs models (comma separated), batch sizes (comma separated), steps */
    public static void main(String[] rawArgs) {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        String[] models = (args.length > 0 ? args[0] : "vgg16,resnet50").split(",");
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "1,4").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        System.out.println("backend: " + Nd4j.getExecutioner().getClass().getSimpleName() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.println("| model | layer | batch | forward (s) | channel step (s) | channel step / forward "
                + "| DeepDream step (s) | DeepDream step / forward | class-logit step (s) | class-logit step / forward |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (String name : models) {
            boolean vgg = name.equals("vgg16");
            ZooEntry entry = vgg ? Zoo.vgg16() : Zoo.resnet50();
            ComputationGraph g = entry.randomInit(1);
            InterpretableModel m = entry.interpretable(g);
            // VGG16 "12" is block4_conv3; ResNet50 "res4f_branch2c" is the last convolution of stage 4
            String layer = vgg ? "12" : "res4f_branch2c";
            for (int batch : batches) {
                Nd4j.getRandom().setSeed(batch);
                INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224).muli(255).subi(115);
                double fwd = Timing.median(steps, () -> m.logits(x));
                double channel = stepTime(m, Objectives.channel(layer, 5), batch, steps);
                double dream = stepTime(m, Objectives.deepDream(layer), batch, steps);
                double logit = stepTime(m, Objectives.classLogit(7), batch, steps);
                System.out.println(String.format(Locale.ROOT,
                        "| %s | %s | %d | %.3f | %.3f | %.2f | %.3f | %.2f | %.3f | %.2f |", name, layer, batch, fwd,
                        channel, channel / fwd, dream, dream / fwd, logit, logit / fwd));
            }
        }
    }

    /**
     * @return seconds per step: the difference between a run of {@code 1 + steps} steps and a run of 1 step, over
     *         {@code steps} (setup, the first step's graph building and the final evaluation cancel out), median of
     *         {@link #REPEATS} pairs
     */
    private static double stepTime(InterpretableModel m, Objective o, int batch, int steps) {
        FeatureVisualization shortRun = FeatureVisualization.builder().steps(1).images(batch).seed(1)
                .logProgress(false).build();
        FeatureVisualization longRun = FeatureVisualization.builder().steps(1 + steps).images(batch).seed(1)
                .logProgress(false).build();
        shortRun.run(m, o); // warm-up: builds the backward graph for this layer and batch
        List<Double> t = new ArrayList<>();
        for (int rep = 0; rep < REPEATS; rep++) {
            long t0 = System.nanoTime();
            shortRun.run(m, o);
            long t1 = System.nanoTime();
            longRun.run(m, o);
            long t2 = System.nanoTime();
            t.add(((t2 - t1) - (t1 - t0)) / 1e9 / steps);
        }
        t.sort(Double::compare);
        return t.get(t.size() / 2);
    }
}
