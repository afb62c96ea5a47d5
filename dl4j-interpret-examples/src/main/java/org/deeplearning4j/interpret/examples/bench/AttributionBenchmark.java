package org.deeplearning4j.interpret.examples.bench;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark harness (not a test): forward, saliency and occlusion (32-pixel window, stride 16) on the zoo's VGG16 and
 * ResNet50 at 224x224 with random He weights, batch 1 and 8. Prints medians and the ratios that the performance
 * goals are stated in, all measured in one run on one machine:
 * <ul>
 *   <li>saliency / forward (our forward through the same engine), goal at most 3;</li>
 *   <li>occlusion / (windows x batched forward), goal at most 1 ("no slower than one batched forward per window");</li>
 *   <li>peak off-heap memory = resident memory minus the JVM's committed heap (ND4J's CPU buffers are not counted
 *       by JavaCPP's {@code Pointer.totalBytes()});</li>
 *   <li>integrated gradients (32 steps) and SmoothGrad (16 samples) / saliency, goal at most 32 and 16 (no more than
 *       that many saliency passes).</li>
 * </ul>
 * Usage: {@code mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.bench.AttributionBenchmark -Dexample.args="vgg16,resnet50 1,8 3"}
 * (models, batch sizes, repetitions; IG, SmoothGrad and occlusion run once per configuration because they are long;
 * a fourth argument {@code no-occlusion} skips occlusion).
 */
public final class AttributionBenchmark {
    private static final int WINDOW = 32;
    private static final int STRIDE = 16;
    private static final int IG_STEPS = 32;
    private static final int SG_SAMPLES = 16;

    private AttributionBenchmark() {
    }

    /** @param rawArgs models (comma separated), batch sizes (comma separated), repetitions */
    public static void main(String[] rawArgs) {
        // exec:exec passes -Dexample.args as one argument: split it on whitespace
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        String[] models = (args.length > 0 ? args[0] : "vgg16,resnet50").split(",");
        int[] batches = Arrays.stream((args.length > 1 ? args[1] : "1,8").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        boolean occlusion = args.length <= 3 || !args[3].equals("no-occlusion");
        AtomicLong peak = new AtomicLong();
        AtomicLong peakOffHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                // ND4J's CPU buffers are not tracked by JavaCPP's counters (Pointer.totalBytes() stays 0), so
                // off-heap is measured as resident memory minus the JVM's committed heap
                peakOffHeap.accumulateAndGet(Pointer.physicalBytes() - Runtime.getRuntime().totalMemory(),
                        Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        String executioner = Nd4j.getExecutioner().getClass().getSimpleName(); // loads the backend first
        String build = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        System.out.println("backend: " + executioner + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch")
                + ", oneDNN " + (build.contains("ONEDNN") ? "linked" : "absent") + ", cuDNN "
                + (build.contains("CUDNN") ? "linked" : "absent") + ", helpers "
                + (Nd4j.getEnvironment().helpersAllowed() ? "allowed" : "off"));
        System.out.println("| model | batch | DL4J output (s) | our forward (s) | saliency (s) | saliency / forward "
                + "| IG-32 (s) | IG-32 / saliency | SmoothGrad-16 (s) | SmoothGrad-16 / saliency "
                + "| occlusion (s) | windows | occlusion / (windows x forward) | peak off-heap (GB) | peak RSS (GB) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (String name : models) {
            ZooEntry entry = Zoo.get(name);
            ComputationGraph g = entry.randomInit(1);
            InterpretableModel m = entry.interpretable(g);
            for (int batch : batches) {
                peak.set(0);
                peakOffHeap.set(0);
                Nd4j.getRandom().setSeed(batch);
                INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224).muli(255).subi(115);
                Target target = Targets.logit(3);
                double dl4j = Timing.median(reps, () -> g.outputSingle(false, x));
                double fwd = Timing.median(reps, () -> m.logits(x));
                double sal = Timing.median(reps, () -> Saliency.of(m).attribute(x, target));
                double ig = Timing.once(() -> IntegratedGradients.builder(m).steps(IG_STEPS).build()
                        .attribute(x, target));
                double sg = Timing.once(() -> NoiseTunnel.builder(m, Saliency.of(m)).samples(SG_SAMPLES).build()
                        .attribute(x, target));
                int windows = (int) Math.pow((224 - WINDOW) / STRIDE + 1, 2);
                double occ = Double.NaN;
                if (occlusion) {
                    occ = Timing.once(() -> Occlusion.builder(m).window(WINDOW).stride(STRIDE).maxBatchSize(8).build()
                            .attribute(x, target));
                }
                System.out.println(String.format(Locale.ROOT,
                        "| %s | %d | %.3f | %.3f | %.3f | %.2f | %.2f | %.1f | %.2f | %.1f | %.1f | %d | %.2f | %.2f | %.2f |",
                        name, batch, dl4j, fwd, sal, sal / fwd, ig, ig / sal, sg, sg / sal, occ, windows,
                        occ / (windows * fwd), peakOffHeap.get() / 1e9, peak.get() / 1e9));
            }
        }
        sampler.interrupt();
    }
}
