package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
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

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark harness (not a test): this library against PyTorch autograd (what Captum's methods cost) on the same
 * machine, in one invocation. For each model it first runs {@code tools/bench/pytorch_side_by_side.py} with Debian's
 * {@code python3-torch}/{@code python3-torchvision} (random-initialised torchvision VGG16/ResNet50, all cores) in its
 * own process, then the same work here on the zoo's random-initialised models: forward, saliency, integrated
 * gradients with 32 points in chunks of 16, SmoothGrad with 16 samples, occlusion with a 32-pixel zero patch at
 * stride 16 and 8 images per forward, Grad-CAM at the zoo's Grad-CAM layer, guided backprop. Prints a table with {@code ours / PyTorch} per method, model and batch, and
 * both peak resident memories. Without Python and torch it says so and prints ours alone.
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec
 * -Dexample=org.deeplearning4j.interpret.examples.bench.PyTorchSideBySide -Dexample.args="vgg16,resnet50 1,8 3"}
 * (run from the repository root or give {@code -Dbench.script=PATH}; {@code -Dbench.python=PATH} picks the interpreter,
 * default {@code /usr/bin/python3}).
 */
public final class PyTorchSideBySide {
    private static final String[] METHODS = {"forward", "saliency", "ig32", "smoothgrad16", "occlusion", "gradcam",
        "guided"};

    private PyTorchSideBySide() {
    }

    /** @param rawArgs models, batch sizes, repetitions */
    public static void main(String[] rawArgs) throws Exception {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        String[] models = (args.length > 0 ? args[0] : "vgg16,resnet50").split(",");
        String batches = args.length > 1 ? args[1] : "1";
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        File script = new File(System.getProperty("bench.script", "tools/bench/pytorch_side_by_side.py"));
        if (!script.isFile()) {
            script = new File("../" + script.getPath());
        }
        StringBuilder table = new StringBuilder("| model | batch | method | ours (s) | PyTorch (s) | ours / PyTorch |\n"
                + "|---|---|---|---|---|---|\n");
        StringBuilder memory = new StringBuilder();
        for (String model : models) {
            Map<Integer, Map<String, Double>> torch = runPyTorch(script, model, batches, reps);
            ZooEntry entry = Zoo.get(model);
            ComputationGraph g = entry.randomInit(1);
            InterpretableModel m = entry.interpretable(g);
            String camLayer = entry.vertex(entry.gradCamLayer());
            for (int batch : Arrays.stream(batches.split(",")).mapToInt(Integer::parseInt).toArray()) {
                AtomicLong peak = new AtomicLong();
                Thread sampler = Timing.residentSampler(peak);
                Map<String, Double> ours = ours(m, camLayer, batch, reps);
                sampler.interrupt();
                Map<String, Double> ref = torch.getOrDefault(batch, Map.of());
                for (String k : METHODS) {
                    Double t = ref.get(k);
                    int before = table.length();
                    table.append(String.format(Locale.ROOT, "| %s | %d | %s | %.3f | %s | %s |%n", model, batch, k,
                            ours.get(k), t == null ? "-" : String.format(Locale.ROOT, "%.3f", t),
                            t == null ? "-" : String.format(Locale.ROOT, "%.2f", ours.get(k) / t)));
                    System.out.print("row: " + table.substring(before)); // as it comes: a later failure loses nothing
                }
                memory.append(String.format(Locale.ROOT, "%s batch %d: peak RSS ours %.2f GB (this row), PyTorch %s GB "
                        + "(its process so far)%n", model, batch, peak.get() / 1e9,
                        ref.containsKey("peak_rss_gb") ? String.format(Locale.ROOT, "%.2f", ref.get("peak_rss_gb"))
                                : "-"));
            }
        }
        System.out.println(Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel());
        System.out.print(table);
        System.out.print(memory);
    }

    private static Map<String, Double> ours(InterpretableModel m, String camLayer, int batch, int reps) {
        Nd4j.getRandom().setSeed(batch);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224).muli(255).subi(115);
        Target t = Targets.logit(3);
        Map<String, Double> r = new HashMap<>();
        r.put("forward", Timing.median(reps, () -> m.logits(x)));
        r.put("saliency", Timing.median(reps, () -> Saliency.builder(m).signed(true).build().attribute(x, t)));
        r.put("ig32", Timing.once(() -> IntegratedGradients.builder(m).steps(32).build().attribute(x, t)));
        r.put("smoothgrad16", Timing.once(() -> NoiseTunnel.builder(m, Saliency.of(m)).samples(16).build().attribute(x, t)));
        r.put("occlusion", Timing.once(() -> Occlusion.builder(m).window(32).stride(16).baselineValue(0).maxBatchSize(8).build()
                .attribute(x, t)));
        GradCam cam = GradCam.builder(m).layer(camLayer).build();
        r.put("gradcam", Timing.median(reps, () -> cam.attribute(x, t)));
        GuidedBackprop guided = GuidedBackprop.of(m);
        r.put("guided", Timing.median(reps, () -> guided.attribute(x, t)));
        return r;
    }

    private static Map<Integer, Map<String, Double>> runPyTorch(File script, String model, String batches, int reps)
            throws IOException, InterruptedException {
        Map<Integer, Map<String, Double>> out = new HashMap<>();
        if (!script.isFile()) {
            System.out.println("No " + script + ": PyTorch figures skipped (run from the repository root)");
            return out;
        }
        // Debian's interpreter, where python3-torch installs, unless told otherwise (a venv's python3 may lack torch)
        String python = System.getProperty("bench.python", new File("/usr/bin/python3").canExecute()
                ? "/usr/bin/python3" : "python3");
        Process p = new ProcessBuilder(python, script.getPath(), model, batches, String.valueOf(reps))
                .redirectErrorStream(true).start();
        Pattern num = Pattern.compile("\"(\\w+)\": ([0-9.eE+-]+)");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith("{")) {
                    System.out.println("python: " + line);
                    continue;
                }
                System.out.println("python: " + line);
                Map<String, Double> row = new HashMap<>();
                Matcher mm = num.matcher(line);
                while (mm.find()) {
                    row.put(mm.group(1), Double.parseDouble(mm.group(2)));
                }
                out.put(row.get("batch").intValue(), row);
            }
        }
        if (p.waitFor() != 0) {
            System.out.println("PyTorch reference failed (exit " + p.exitValue() + "): is python3-torchvision "
                    + "installed?");
        }
        return out;
    }

    private static String cpuModel() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown CPU";
        }
        return "unknown CPU";
    }
}
