package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.DeepLift;
import org.deeplearning4j.interpret.attribution.Lrp;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark harness (not a test): LRP (three composites) and DeepLIFT against saliency on the zoo's VGG16 and
 * ResNet50 at 224x224 with random He weights, batch 1; medians of the given repetitions after a warm-up, and the
 * ratio to saliency through the same adapter. Run with {@code -Dorg.slf4j.simpleLogger.log.org.deeplearning4j
 * .interpret.internal.engine.RuleWalker=debug} to see where the time of each walk goes (recorded forward pass, then each
 * vertex kind's rules).
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec
 * -Dexample=org.deeplearning4j.interpret.examples.bench.RuleMethodsBenchmark -Dexample.args="vgg16,resnet50 3"}
 */
public final class RuleMethodsBenchmark {
    private RuleMethodsBenchmark() {
    }

    /** @param rawArgs models (comma separated), repetitions */
    public static void main(String[] rawArgs) {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        String[] models = (args.length > 0 ? args[0] : "vgg16,resnet50").split(",");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-10s %-28s %10s %12s%n", "model",
                "method", "median s", "/ saliency"));
        for (String name : models) {
            ZooEntry entry = Zoo.get(name);
            ComputationGraph g = entry.randomInit(42);
            InterpretableModel m = entry.interpretable(g);
            Nd4j.getRandom().setSeed(1);
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 224, 224).muli(255).subi(115);
            Map<String, Attribution> methods = new LinkedHashMap<>();
            methods.put("saliency", Saliency.of(m));
            methods.put("LRP epsilon (default)", Lrp.of(m));
            methods.put("LRP epsilonPlus", Lrp.builder(m).composite(LrpComposite.epsilonPlus()).build());
            methods.put("LRP epsilonGammaBox", Lrp.builder(m).composite(LrpComposite.epsilonGammaBox(-124, 152))
                    .build());
            methods.put("DeepLIFT (zeros)", DeepLift.builder(m).build());
            double saliency = 0;
            for (Map.Entry<String, Attribution> e : methods.entrySet()) {
                e.getValue().attribute(x, Targets.predicted());
                double[] t = new double[reps];
                for (int r = 0; r < reps; r++) {
                    long t0 = System.nanoTime();
                    e.getValue().attribute(x, Targets.predicted());
                    t[r] = (System.nanoTime() - t0) / 1e9;
                }
                Arrays.sort(t);
                double med = t[reps / 2];
                if (e.getKey().equals("saliency")) {
                    saliency = med;
                }
                table.append(String.format(Locale.ROOT, "%-10s %-28s %10.3f %11.1fx%n", name, e.getKey(), med,
                        med / saliency));
            }
        }
        System.out.print(table);
    }
}
