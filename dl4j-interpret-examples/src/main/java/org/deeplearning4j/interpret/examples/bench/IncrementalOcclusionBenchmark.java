package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;

/**
 * Benchmark harness (not a test): incremental occlusion (Krypton) against the library's batched occlusion on the zoo's
 * VGG16 or ResNet50 (random weights, one 224x224 image): wall time of plain, exact incremental and approximate
 * incremental occlusion for each window/stride, the speed-up, the exact mode's largest difference from plain
 * (rounding) and the approximate mode's error (relative L2 and largest difference, relative to the map's largest
 * value). Each configuration runs once after a small warm-up.
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec
 * -Dexample=org.deeplearning4j.interpret.examples.bench.IncrementalOcclusionBenchmark
 * -Dexample.args="vgg16 32:16,16:8 0.5"} (model, window:stride list, approximate threshold).
 */
public final class IncrementalOcclusionBenchmark {
    private IncrementalOcclusionBenchmark() {
    }

    /** @param rawArgs model, window:stride list, approximate threshold */
    public static void main(String[] rawArgs) {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        String model = args.length > 0 ? args[0] : "vgg16";
        String[] configs = (args.length > 1 ? args[1] : "32:16,16:8").split(",");
        double tau = args.length > 2 ? Double.parseDouble(args[2]) : 0.5;
        ZooEntry entry = Zoo.get(model);
        InterpretableModel m = entry.interpretable(entry.randomInit(1));
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 224, 224).muli(255).subi(115);
        Target t = Targets.logit(3);
        Occlusion.builder(m).window(112).stride(112).maxBatchSize(8).build().attribute(x, t); // warm-up
        Occlusion.builder(m).window(112).stride(112).maxBatchSize(8).incremental().build().attribute(x, t);
        StringBuilder table = new StringBuilder("| model | window / stride | windows | plain (s) | incremental exact (s) "
                + "| speed-up | exact: max diff | approximate " + tau + " (s) | speed-up | approx: rel. L2 error "
                + "| approx: max diff | incremental through |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String c : configs) {
            int window = Integer.parseInt(c.split(":")[0]);
            int stride = Integer.parseInt(c.split(":")[1]);
            AttributionResult[] r = new AttributionResult[3];
            double plain = Timing.once(() -> r[0] = Occlusion.builder(m).window(window).stride(stride).maxBatchSize(8)
                    .baselineValue(0).build().attribute(x, t));
            double exact = Timing.once(() -> r[1] = Occlusion.builder(m).window(window).stride(stride).maxBatchSize(8)
                    .baselineValue(0).incremental().build().attribute(x, t));
            double approx = Timing.once(() -> r[2] = Occlusion.builder(m).window(window).stride(stride).maxBatchSize(8)
                    .baselineValue(0).incremental(tau).build().attribute(x, t));
            double scale = r[0].map().amaxNumber().doubleValue();
            table.append(String.format(Locale.ROOT, "| %s | %d / %d | %s | %.1f | %.1f | %.2fx | %.1e | %.1f | %.2fx "
                    + "| %.3f | %.3f | %s |%n", model, window, stride, r[0].options().get("windows"), plain, exact,
                    plain / exact, r[1].map().sub(r[0].map()).amaxNumber().doubleValue() / scale, approx,
                    plain / approx, r[2].map().sub(r[0].map()).norm2Number().doubleValue()
                            / r[0].map().norm2Number().doubleValue(),
                    r[2].map().sub(r[0].map()).amaxNumber().doubleValue() / scale,
                    r[1].options().get("incremental")));
        }
        System.out.println(Runtime.getRuntime().availableProcessors() + " cores");
        System.out.print(table);
    }
}
