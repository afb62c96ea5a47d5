package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark harness (not a test): does peak memory stay flat when the amount of work grows? Runs integrated gradients
 * with few and many steps and SmoothGrad with few and many samples on the zoo's VGG16 (random weights, one 224x224
 * image), each configuration in a fresh JVM (the same JVM options), and prints the wall time and the peak resident
 * set size (the kernel's VmHWM) side by side with their ratio. Goal: the many-step row within 10% of the few-step
 * row's memory.
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec
 * -Dexample=org.deeplearning4j.interpret.examples.bench.MemoryScalingBenchmark -Dexample.args="vgg16 50,1000 25,1000"}
 * (model, IG step counts, SmoothGrad sample counts).
 */
public final class MemoryScalingBenchmark {
    private MemoryScalingBenchmark() {
    }

    /** @param rawArgs model, IG steps (comma separated), SmoothGrad samples (comma separated); or "child ..." */
    public static void main(String[] rawArgs) throws Exception {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        String model = args.length > 0 ? args[0] : "vgg16";
        String[] ig = (args.length > 1 ? args[1] : "50,1000").split(",");
        String[] sg = (args.length > 2 ? args[2] : "25,1000").split(",");
        System.out.println("memory scaling on " + model + ", " + Runtime.getRuntime().availableProcessors()
                + " cores; each row a fresh JVM");
        System.out.println("method | count | wall s | peak RSS MB | RSS / first row");
        for (String[] row : new String[][] {ig, sg}) {
            String method = row == ig ? "ig" : "smoothgrad";
            double first = -1;
            for (String count : row) {
                double[] r = runChild(model, method, count);
                first = first < 0 ? r[1] : first;
                System.out.printf(Locale.ROOT, "%s | %s | %.1f | %.0f | %.3f%n", method, count, r[0], r[1],
                        r[1] / first);
            }
        }
    }

    private static double[] runChild(String model, String method, String count) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MemoryScalingBenchmark.class.getName());
        cmd.add("child");
        cmd.add(model);
        cmd.add(method);
        cmd.add(count);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        double[] out = {Double.NaN, Double.NaN};
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    String[] f = line.split(" ");
                    out[0] = Double.parseDouble(f[1]);
                    out[1] = Double.parseDouble(f[2]);
                }
            }
        }
        if (p.waitFor() != 0 || Double.isNaN(out[0])) {
            throw new IllegalStateException(method + " " + count + " failed (exit " + p.exitValue() + ")");
        }
        return out;
    }

    private static void child(String model, String method, int count) throws IOException {
        ZooEntry entry = Zoo.get(model);
        InterpretableModel m = entry.interpretable(entry.randomInit(1));
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 224, 224).muli(255).subi(115);
        Attribution a = method.equals("ig") ? IntegratedGradients.builder(m).steps(count).build()
                : NoiseTunnel.builder(m, Saliency.of(m)).samples(count).build();
        long t0 = System.nanoTime();
        a.attribute(x, Targets.predicted());
        double wall = (System.nanoTime() - t0) / 1e9;
        long hwmKb = 0;
        for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) {
                hwmKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        System.out.printf(Locale.ROOT, "RESULT %.3f %.1f%n", wall, hwmKb / 1024.0);
    }
}
