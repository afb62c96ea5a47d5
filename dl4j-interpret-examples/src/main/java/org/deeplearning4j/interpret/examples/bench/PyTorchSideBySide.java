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

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark harness (not a test): this library against PyTorch autograd (what Captum's methods cost) on the same
 * machine, in one invocation. For each model and batch size it starts {@code tools/bench/pytorch_side_by_side.py}
 * with Debian's {@code python3-torch}/{@code python3-torchvision} (random-initialised torchvision VGG16/ResNet50, all
 * cores) as a server in its own process ({@link TorchServer}) and alternates the two sides in blocks of five
 * calls, after both warmed up, on the same work (the zoo's random-initialised models here): forward, saliency,
 * integrated gradients with 32 points in chunks of 16, SmoothGrad with 16 samples, occlusion with a 32-pixel zero
 * patch at stride 16 and 8 images per forward, Grad-CAM at the zoo's Grad-CAM layer, guided backprop. Prints a table
 * with {@code ours / PyTorch} per method, model and batch, and
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
    /** Methods timed as medians of {@code reps} calls; the others are timed once. */
    private static final java.util.Set<String> MEDIAN = java.util.Set.of("forward", "saliency", "gradcam", "guided");

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
        // Debian's interpreter, where python3-torch installs, unless told otherwise (a venv's python3 may lack torch)
        String python = System.getProperty("bench.python", new File("/usr/bin/python3").canExecute()
                ? "/usr/bin/python3" : "python3");
        StringBuilder table = new StringBuilder("| model | batch | method | ours (s) | PyTorch (s) | ours / PyTorch |\n"
                + "|---|---|---|---|---|---|\n");
        StringBuilder memory = new StringBuilder();
        for (String model : models) {
            ZooEntry entry = Zoo.get(model);
            ComputationGraph g = entry.randomInit(1);
            InterpretableModel m = entry.interpretable(g);
            String camLayer = entry.vertex(entry.gradCamLayer());
            for (int batch : Arrays.stream(batches.split(",")).mapToInt(Integer::parseInt).toArray()) {
                AtomicLong peak = new AtomicLong();
                Thread sampler = Timing.residentSampler(peak);
                Map<String, Runnable> ours = ours(m, camLayer, batch);
                Double torchRss = null;
                try (TorchServer torch = TorchServer.start(script, python, model, batch)) {
                    for (String k : METHODS) {
                        double[] t = alternate(ours.get(k), torch, k, MEDIAN.contains(k) ? reps : 1);
                        int before = table.length();
                        table.append(String.format(Locale.ROOT, "| %s | %d | %s | %.3f | %s | %s |%n", model, batch,
                                k, t[0], Double.isNaN(t[1]) ? "-" : String.format(Locale.ROOT, "%.3f", t[1]),
                                Double.isNaN(t[1]) ? "-" : String.format(Locale.ROOT, "%.2f", t[0] / t[1])));
                        System.out.print("row: " + table.substring(before)); // as it comes: a failure loses nothing
                    }
                    torchRss = torch == null ? null : torch.peakRssGb();
                }
                sampler.interrupt();
                memory.append(String.format(Locale.ROOT, "%s batch %d: peak RSS ours %.2f GB (during this row), "
                        + "PyTorch %s GB (its process for this batch)%n", model, batch, peak.get() / 1e9,
                        torchRss == null ? "-" : String.format(Locale.ROOT, "%.2f", torchRss)));
            }
        }
        System.out.println(Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel());
        System.out.print(table);
        System.out.print(memory);
    }

    /**
     * Calls in a row per side before the other side runs: one call each in turn gave each side's call the caches the
     * other side had just evicted (ResNet50's batch-1 forward pass: 57 ms instead of 46-48 ms in a row), which is not
     * how an application runs a method over many images.
     */
    private static final int BLOCK = 5;

    /**
     * Both sides warmed up, then blocks of {@value #BLOCK} PyTorch calls and {@value #BLOCK} calls of ours in turn
     * until each side made {@code reps} calls.
     *
     * @return {our median seconds, PyTorch's median seconds or NaN without PyTorch}
     */
    private static double[] alternate(Runnable ours, TorchServer torch, String method, int reps) throws IOException {
        if (reps > 1) {
            if (torch != null) {
                torch.warm(method);
            }
            Timing.warmUp(ours);
        }
        List<Double> mine = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        for (int done = 0; done < reps; done += BLOCK) {
            int n = Math.min(BLOCK, reps - done);
            if (torch != null) {
                for (int i = 0; i < n; i++) {
                    theirs.add(torch.run(method));
                }
                pause();
            }
            for (int i = 0; i < n; i++) {
                mine.add(Timing.once(ours));
            }
            pause();
        }
        return new double[] {Timing.median(mine), torch == null ? Double.NaN : Timing.median(theirs)};
    }

    /**
     * Lets the side that just ran go idle: both libraries' OpenMP threads spin for a while after a call, and on two
     * cores that spinning slowed the other side's next 50 ms call by a quarter.
     */
    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Runnable> ours(InterpretableModel m, String camLayer, int batch) {
        Nd4j.getRandom().setSeed(batch);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224).muli(255).subi(115);
        Target t = Targets.logit(3);
        Map<String, Runnable> r = new HashMap<>();
        r.put("forward", () -> m.logits(x));
        Saliency saliency = Saliency.builder(m).signed(true).build();
        r.put("saliency", () -> saliency.attribute(x, t));
        IntegratedGradients ig = IntegratedGradients.builder(m).steps(32).build();
        r.put("ig32", () -> ig.attribute(x, t));
        NoiseTunnel smooth = NoiseTunnel.builder(m, Saliency.of(m)).samples(16).build();
        r.put("smoothgrad16", () -> smooth.attribute(x, t));
        Occlusion occlusion = Occlusion.builder(m).window(32).stride(16).baselineValue(0).maxBatchSize(8).build();
        r.put("occlusion", () -> occlusion.attribute(x, t));
        GradCam cam = GradCam.builder(m).layer(camLayer).build();
        r.put("gradcam", () -> cam.attribute(x, t));
        GuidedBackprop guided = GuidedBackprop.of(m);
        r.put("guided", () -> guided.attribute(x, t));
        return r;
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
