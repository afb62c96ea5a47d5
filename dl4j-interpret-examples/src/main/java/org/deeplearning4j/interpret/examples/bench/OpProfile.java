package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

import java.util.Locale;

/**
 * Benchmark harness (not a test): where the time of one forward, saliency, Grad-CAM and guided-backprop pass goes,
 * on the zoo's VGG16 and ResNet50 (random weights, 224x224, batch 1 and 8). The wall time (median of 5 after a warm-up) against the time
 * spent inside the native ops (ND4J's op profiler, elapsed time per executed op: libnd4j/oneDNN compute with the JNI
 * call), and the rest, which is framework overhead between ops (SameDiff session bookkeeping, array allocation,
 * shape functions, copies); then the op classes that take the most time. Profiling adds a little overhead of its own.
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.bench.OpProfile
 * -Dexample.args="vgg16,resnet50 1,8"}.
 */
public final class OpProfile {
    private OpProfile() {
    }

    /** @param rawArgs models, batch sizes */
    public static void main(String[] rawArgs) {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        String[] models = (args.length > 0 ? args[0] : "vgg16,resnet50").split(",");
        String[] batches = (args.length > 1 ? args[1] : "1,8").split(",");
        StringBuilder table = new StringBuilder("| model | batch | pass | wall (ms) | inside ops (ms) | between ops (ms) "
                + "| ops run | between ops per op (ms) |\n|---|---|---|---|---|---|---|---|\n");
        StringBuilder top = new StringBuilder();
        for (String model : models) {
            ZooEntry entry = Zoo.get(model);
            InterpretableModel m = entry.interpretable(entry.randomInit(1));
            String camLayer = entry.vertex(entry.gradCamLayer());
            for (String b : batches) {
                int batch = Integer.parseInt(b);
                Nd4j.getRandom().setSeed(batch);
                INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224).muli(255).subi(115);
                Saliency s = Saliency.builder(m).signed(true).build();
                row(table, top, model, batch, "forward", () -> m.logits(x));
                row(table, top, model, batch, "saliency", () -> s.attribute(x, Targets.logit(3)));
                GradCam cam = GradCam.builder(m).layer(camLayer).build();
                row(table, top, model, batch, "grad-cam", () -> cam.attribute(x, Targets.logit(3)));
                GuidedBackprop guided = GuidedBackprop.of(m);
                row(table, top, model, batch, "guided backprop", () -> guided.attribute(x, Targets.logit(3)));
            }
        }
        System.out.println(Runtime.getRuntime().availableProcessors() + " cores");
        System.out.print(table);
        System.out.print(top);
    }

    private static void row(StringBuilder table, StringBuilder top, String model, int batch, String pass,
            Runnable op) {
        double wall = Timing.median(5, op) * 1e3;
        OpProfiler profiler = OpProfiler.getInstance();
        profiler.reset();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        try {
            op.run();
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        }
        // "Total time spent: N ms." then one line per op class with its share and time
        String classes = profiler.getClassAggergator().asPercentageString();
        java.util.regex.Matcher total = java.util.regex.Pattern.compile("Total time spent: (\\d+) ms").matcher(classes);
        double inside = total.find() ? Double.parseDouble(total.group(1)) : Double.NaN;
        long count = profiler.getInvocationsCount();
        table.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f | %.1f | %.1f | %d | %.3f |%n", model, batch,
                pass, wall, inside, wall - inside, count, count == 0 ? 0 : (wall - inside) / count));
        top.append(String.format(Locale.ROOT, "%n%s batch %d %s, time per op class:%n%s%nby op:%n%s%n", model, batch,
                pass, classes, profiler.getLongAggergator().asPercentageString()));
    }
}
