package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Deconvnet;
import org.deeplearning4j.interpret.attribution.FeatureAblation;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GradientShap;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.GuidedGradCam;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.KernelShap;
import org.deeplearning4j.interpret.attribution.Lime;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.attribution.ScoreCam;
import org.deeplearning4j.interpret.attribution.ShapleyValueSampling;
import org.deeplearning4j.interpret.blocks.BuildingBlocks;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.evaluation.MethodScorecard;
import org.deeplearning4j.interpret.evaluation.ScorecardResult;
import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.render.Colormap;
import org.deeplearning4j.interpret.render.BuildingBlocksPage;
import org.deeplearning4j.interpret.render.ExampleGrids;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.interpret.render.ScorecardPage;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The {@code interpret} command line: attribution methods by name, occlusion, feature visualization and dataset
 * search on zoo models or saved DL4J models, writing PNGs, {@code .npy} arrays and an HTML report.
 *
 * <pre>
 * interpret attribute gradcam --model vgg16 --image cat.jpg
 * interpret occlusion --model model.zip --shape 1,28,28 --image shirt.png --window 6 --stride 2
 * interpret visualize --model vgg16 --weights ~/models/ --layer block4_conv3 --channels 0,1,2
 * interpret search --model small-vgg --weights model.zip --image photos/ --layer block3_conv2
 * interpret blocks --model vgg16 --image cat.jpg --layer block5_conv3 --groups 4
 * interpret check --model model.zip --shape 1,28,28 --image shirt.png
 * interpret evaluate --model model.zip --shape 1,28,28 --image test-images/ --methods saliency,occlusion
 * interpret models
 * </pre>
 * Exit codes: 0 success, 2 bad usage (unknown option, missing argument), 3 bad input (missing weights or image,
 * unknown class or layer), 4 gradient check failed, 1 unexpected failure.
 */
@Command(name = "interpret", mixinStandardHelpOptions = true, version = "dl4j-interpret 0.1.0",
        description = "See why a Deeplearning4j CNN decides: attribution heatmaps, occlusion, feature visualization "
                + "and dataset examples for zoo models (VGG16, VGG19, ResNet50) or your saved DL4J models.",
        subcommands = {InterpretCli.Attribute.class, InterpretCli.OcclusionCmd.class, InterpretCli.Visualize.class,
                InterpretCli.Search.class, InterpretCli.Blocks.class, InterpretCli.Check.class,
                InterpretCli.Evaluate.class, TcavCmd.class, InterpretCli.ModelsCmd.class},
        footer = {"", "Exit codes: 0 success, 2 bad usage, 3 bad input (missing weights or image, unknown class or "
                + "layer), 4 gradient check failed, 1 unexpected failure.",
                "Run 'interpret COMMAND --help' for a command's options."})
public final class InterpretCli implements Callable<Integer> {
    /** Exit code of a gradient check that failed. */
    static final int CHECK_FAILED = 4;
    /** Exit code for input errors (missing weights, unreadable image, unknown class or layer). */
    public static final int EXIT_INPUT = 3;
    /** Exit code for unexpected failures. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return CommandLine.ExitCode.USAGE;
    }

    /** @param args command-line arguments */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line without exiting (for tests and embedding).
     *
     * @param args arguments
     * @param out standard output
     * @param err error output
     * @return the exit code
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new InterpretCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof CliException && ((CliException) ex).isUsage()) {
                line.getErr().println("error: " + ex.getMessage());
                line.getErr().println("Run 'interpret " + line.getCommandName() + " --help' for the options.");
                return CommandLine.ExitCode.USAGE;
            }
            if (ex instanceof CliException || ex instanceof IOException || ex instanceof IllegalArgumentException) {
                line.getErr().println("error: " + ex.getMessage());
                return EXIT_INPUT;
            }
            line.getErr().println("error: unexpected failure: " + ex);
            ex.printStackTrace(line.getErr());
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    /** Shared target options: a class by name or index, or the top-k predicted classes. */
    static final class TargetOptions {
        @Option(names = {"-t", "--target"}, paramLabel = "CLASS",
                description = "Class to explain: index or name (e.g. 'tabby cat'); default: the top predicted class.")
        String target;

        @Option(names = "--top", defaultValue = "1", paramLabel = "K",
                description = "Explain each image's K most probable classes (default ${DEFAULT-VALUE}).")
        int top;

        /** @return per image, the classes to explain */
        int[][] classes(ModelOptions.Loaded l, INDArray x) {
            int n = (int) x.size(0);
            int[][] out = new int[n][];
            if (target != null) {
                int c = l.classes.indexOf(target);
                if (l.model.numClasses() > 0 && c >= l.model.numClasses()) {
                    throw new CliException("Class " + c + " is out of range: the model has " + l.model.numClasses()
                            + " classes");
                }
                for (int i = 0; i < n; i++) {
                    out[i] = new int[] {c};
                }
                return out;
            }
            if (top < 1) {
                throw CliException.usage("--top must be >= 1, got " + top);
            }
            if (l.model.numClasses() > 0 && top > l.model.numClasses()) {
                throw new CliException("--top " + top + " exceeds the model's " + l.model.numClasses() + " classes; "
                        + "use --top " + l.model.numClasses() + " to explain every class");
            }
            INDArray logits = l.model.logits(x);
            for (int i = 0; i < n; i++) {
                INDArray order = Nd4jSort.argsortDescending(logits.getRow(i));
                out[i] = new int[Math.min(top, (int) logits.size(1))];
                for (int k = 0; k < out[i].length; k++) {
                    out[i][k] = order.getInt(k);
                }
            }
            return out;
        }
    }

    /** Common flow of the heatmap commands: load, explain each image for each class, write, report. */
    abstract static class HeatmapCommand implements Callable<Integer> {
        @Mixin
        ModelOptions model;
        @Mixin
        ImageOptions imageOptions;
        @Mixin
        TargetOptions targets;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract Attribution method(ModelOptions.Loaded l);

        /** Checks the command's own options, before the (slow) model load. */
        void validate() {
        }

        /** @return the method's command-line name, used in file names (e.g. {@code integrated-gradients}) */
        abstract String methodName();

        @Override
        public Integer call() throws Exception {
            validate();
            List<File> files = imageOptions.imageFiles(); // before the (slow) model load: fail fast on a typo
            ModelOptions.Loaded l = model.load();
            INDArray x = imageOptions.loadImages(l.model, files);
            int[][] classes = targets.classes(l, x);
            Attribution a = method(l);
            INDArray probs = Transforms.softmax(l.model.logits(x), true);
            HtmlReport.Builder report = HtmlReport.builder(l.mark(a.name() + " on " + model.model));
            for (int i = 0; i < files.size(); i++) {
                String stem = stem(files.get(i));
                INDArray xi = x.get(NDArrayIndex.interval(i, i + 1));
                BufferedImage input = Heatmaps.inputImage(xi.slice(0), l.model.inputSpec());
                report.section(files.get(i).getName(), "").image(Heatmaps.enlarge(input, FIGURE_SIDE), "input");
                for (int c : classes[i]) {
                    AttributionResult r = a.attribute(xi, Targets.logit(c));
                    String name = stem + "-" + methodName() + "-class" + c;
                    String caption = l.mark(String.format(Locale.ROOT, "%s for '%s' (class %d, p=%.3f)%s", a.name(),
                            l.classes.shortName(c), c, probs.getDouble(i, c), describe(r.options())));
                    BufferedImage fig = Heatmaps.overlayFigure(input, r, 0, caption, FIGURE_SIDE);
                    Heatmaps.writePng(fig, new File(model.out, name + ".png"));
                    r.saveMapNpy(new File(model.out, name + ".npy"));
                    report.image(fig, caption);
                    spec.commandLine().getOut().println(files.get(i).getName() + "\t" + c + "\t"
                            + l.classes.shortName(c) + "\t" + String.format(Locale.ROOT, "%.4f", probs.getDouble(i, c))
                            + "\t" + new File(model.out, name + ".png").getPath());
                }
            }
            File html = new File(model.out, "report.html");
            report.build().write(html);
            spec.commandLine().getOut().println("report\t" + html.getPath());
            return 0;
        }
    }

    @Command(name = "attribute", mixinStandardHelpOptions = true,
            description = "Attribution heatmaps: which input regions matter for a class.")
    static final class Attribute extends HeatmapCommand {
        @CommandLine.Parameters(index = "0", paramLabel = "METHOD", description = "saliency, gradient-x-input, "
                + "integrated-gradients, smoothgrad, guided-backprop, deconvnet, gradcam, gradcam++, guided-gradcam, "
                + "scorecam, occlusion (default window), gradient-shap, lime, kernel-shap, shapley-sampling, "
                + "feature-ablation (the last four over SLIC superpixels, see --segments), deeplift (see --baseline and "
                + "--deeplift-rule), "
                + "deeplift-shap (see --background), lrp (see --composite)")
        String method;

        @Option(names = "--layer", paramLabel = "LAYER",
                description = "Layer for the CAM methods (default: the model's Grad-CAM layer).")
        String layer;

        @Mixin
        MethodOptions options;

        @Override
        Attribution method(ModelOptions.Loaded l) {
            options.progress = ProgressBar.forTerminal(spec.commandLine().getErr());
            return methodFactory(method, l, layer, options).apply(l.model);
        }

        @Override
        String methodName() {
            return checkMethod(method);
        }

        @Override
        void validate() {
            checkMethod(method);
            options.validate();
            if (checkMethod(method).equals("deeplift-shap") && (options.background == null
                    || !options.background.exists())) {
                throw CliException.usage("deeplift-shap needs --background DIR with images, got "
                        + (options.background == null ? "none" : options.background + " (not found)"));
            }
        }
    }

    /** The attribution methods by their command-line names. */
    static final List<String> METHODS = List.of("saliency", "gradient-x-input", "integrated-gradients", "smoothgrad",
            "guided-backprop", "deconvnet", "gradcam", "gradcam++", "guided-gradcam", "scorecam", "occlusion",
            "gradient-shap", "lime", "kernel-shap", "shapley-sampling", "feature-ablation", "deeplift",
            "deeplift-shap", "lrp");

    /**
     * @param name a name from {@link #METHODS}
     * @param l the loaded model
     * @param layer the CAM layer option, or null for the zoo model's default
     * @param o the methods' options (IG steps and baseline, SmoothGrad samples and noise)
     * @return what makes the method for a model (the model itself or a randomized copy of it)
     */
    static Function<InterpretableModel, Attribution> methodFactory(String name, ModelOptions.Loaded l, String layer,
            MethodOptions o) {
        String camLayer = layer != null ? l.vertex(layer) : l.entry != null ? l.entry.vertex(l.entry.gradCamLayer())
                : null;
        switch (checkMethod(name)) {
            case "saliency": return Saliency::of;
            case "gradient-x-input": return GradientXInput::of;
            case "integrated-gradients": return m -> IntegratedGradients.builder(m).steps(o.steps)
                    .baselines(o.baseline()).progress(o.progress).build();
            case "smoothgrad": return m -> NoiseTunnel.builder(m, Saliency.of(m)).samples(o.samples)
                    .noiseLevel(o.noise).progress(o.progress).build();
            case "guided-backprop": return GuidedBackprop::of;
            case "deconvnet": return Deconvnet::of;
            case "gradcam": return m -> GradCam.builder(m).layer(camLayer).build();
            case "gradcam++": return m -> GradCam.builder(m).layer(camLayer).variant(GradCam.Variant.PLUS_PLUS).build();
            case "guided-gradcam": return m -> GuidedGradCam.of(m, GradCam.builder(m).layer(camLayer).build());
            case "scorecam": return m -> ScoreCam.builder(m).layer(camLayer).progress(o.progress).build();
            case "gradient-shap": return m -> GradientShap.builder(m).samples(o.samples).baselines(o.baseline())
                    .progress(o.progress).build();
            case "lime": return m -> Lime.builder(m).segmenter(o.segmenter())
                    .samples(o.perturbations(Lime.DEFAULT_SAMPLES)).progress(o.progress).build();
            case "kernel-shap": return m -> KernelShap.builder(m).segmenter(o.segmenter())
                    .samples(o.perturbations(KernelShap.DEFAULT_SAMPLES)).progress(o.progress).build();
            case "shapley-sampling": return m -> ShapleyValueSampling.builder(m).segmenter(o.segmenter())
                    .samples(o.perturbations(ShapleyValueSampling.DEFAULT_SAMPLES)).progress(o.progress).build();
            case "feature-ablation": return m -> FeatureAblation.builder(m).segmenter(o.segmenter())
                    .progress(o.progress).build();
            case "deeplift": return m -> org.deeplearning4j.interpret.attribution.DeepLift.builder(m)
                    .baselines(o.baseline()).rule(o.deepLiftRule()).build();
            case "deeplift-shap": return m -> org.deeplearning4j.interpret.attribution.DeepLiftShap.of(m,
                    o.background(m));
            case "lrp": return m -> org.deeplearning4j.interpret.attribution.Lrp.builder(m)
                    .composite(o.composite(inputBound(m, 0), inputBound(m, 1))).build();
            default: return m -> Occlusion.builder(m).progress(o.progress).build();
        }
    }

    /**
     * @param m the model
     * @param display 0 for the darkest pixel, 1 for the brightest
     * @return the lowest (for 0) or highest (for 1) value of that pixel in the model's input space over its channels
     */
    static double inputBound(InterpretableModel m, double display) {
        org.deeplearning4j.interpret.model.InputSpec spec = m.inputSpec();
        long c = Math.max(1, spec.channels());
        org.nd4j.linalg.api.ndarray.INDArray v = spec.toModelInput(org.nd4j.linalg.factory.Nd4j.valueArrayOf(
                new long[] {1, c, 1, 1}, display, org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        return display == 0 ? v.minNumber().doubleValue() : v.maxNumber().doubleValue();
    }

    /**
     * @return the lower-case name
     * @throws CliException naming the methods if it is not one
     */
    static String checkMethod(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(n)) {
            throw CliException.usage("Unknown method '" + name + "'. Methods: " + String.join(", ", METHODS));
        }
        return n;
    }

    @Command(name = "occlusion", mixinStandardHelpOptions = true,
            description = "Occlusion sensitivity: slide a neutral patch and record the drop in the class score.")
    static final class OcclusionCmd extends HeatmapCommand {
        @Option(names = "--window", defaultValue = "16", description = "Patch side in pixels (default ${DEFAULT-VALUE}).")
        int window;
        @Option(names = "--stride", defaultValue = "8", description = "Patch stride in pixels (default ${DEFAULT-VALUE}).")
        int stride;

        @Override
        Attribution method(ModelOptions.Loaded l) {
            return Occlusion.builder(l.model).window(window).stride(stride)
                    .progress(ProgressBar.forTerminal(spec.commandLine().getErr())).build();
        }

        @Override
        String methodName() {
            return "occlusion";
        }
    }

    @Command(name = "visualize", mixinStandardHelpOptions = true,
            description = "Feature visualization: optimise images that maximise channels of a layer, or a class.")
    static final class Visualize implements Callable<Integer> {
        @Mixin
        ModelOptions model;
        @Option(names = "--layer", paramLabel = "LAYER", description = "Layer whose channels to visualise.")
        String layer;
        @Option(names = "--channels", split = ",", paramLabel = "C", description = "Channels (default 0..7).")
        int[] channels;
        @Option(names = {"-t", "--target"}, paramLabel = "CLASS", description = "Visualise a class instead (logit - "
                + "0.05*L2).")
        String target;
        @Option(names = "--steps", defaultValue = "512", description = "Adam steps (default ${DEFAULT-VALUE}).")
        int steps;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ModelOptions.Loaded l = model.load();
            FeatureVisualization fv = FeatureVisualization.builder().steps(steps).seed(seed).build();
            FeatureVisResult r;
            String prefix;
            List<String> caps = new ArrayList<>();
            if (target != null) {
                int c = l.classes.indexOf(target);
                Objective o = Objectives.classLogit(c).minus(Objectives.l2().times(0.05));
                r = fv.run(l.model, o);
                prefix = "class" + c;
                caps.add(l.mark(l.classes.shortName(c)));
            } else {
                if (layer == null) {
                    throw new CliException("Give --layer (and optionally --channels) or --target"
                            + (l.entry != null ? "; layers worth visualising: " + l.entry.visualizationLayers() : ""));
                }
                String v = l.vertex(layer);
                int[] ch = channels != null ? channels : new int[] {0, 1, 2, 3, 4, 5, 6, 7};
                r = fv.channels(l.model, v, ch);
                prefix = slug(layer);
                for (int c : ch) {
                    caps.add(l.mark(layer + ":" + c));
                }
            }
            FeatureVisImages.writePngs(r, model.out, prefix, caps);
            Npy.write(r.images(), new File(model.out, prefix + ".npy"));
            File html = new File(model.out, "report.html");
            FeatureVisImages.addTo(HtmlReport.builder(l.mark("Feature visualization of " + model.model)), r.objective(),
                    r, caps)
                    .build().write(html);
            spec.commandLine().getOut().println("report\t" + html.getPath());
            return 0;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Dataset examples: the images (crops) that most activate each channel of a layer.")
    static final class Search implements Callable<Integer> {
        @Mixin
        ModelOptions model;
        @Mixin
        ImageOptions imageOptions;
        @Option(names = "--layer", required = true, paramLabel = "LAYER", description = "Layer to search.")
        String layer;
        @Option(names = "--k", defaultValue = "9", description = "Examples kept per channel (default ${DEFAULT-VALUE}).")
        int k;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<File> files = imageOptions.imageFiles();
            ModelOptions.Loaded l = model.load();
            String v = l.vertex(layer);
            Iterator<INDArray> it = imageOptions.loadBatches(l.model, files).iterator();
            ExampleSearchResult r = ExampleSearch.builder(l.model).channels(v).k(k).build().search(it);
            r.save(new File(model.out, slug(layer) + "-search.bin"));
            HtmlReport.Builder report = HtmlReport.builder(l.mark("Dataset examples for " + layer));
            for (Unit u : r.units()) {
                BufferedImage grid = ExampleGrids.topGrid(r, u, l.model.inputSpec(), ExampleGrids.DEFAULT_CELL);
                Heatmaps.writePng(grid, new File(model.out, slug(layer) + "-" + u.channel() + "-top.png"));
                report.image(grid, l.mark(layer + " channel " + u.channel()));
            }
            File html = new File(model.out, "report.html");
            report.build().write(html);
            spec.commandLine().getOut().println("report\t" + html.getPath());
            return 0;
        }
    }

    @Command(name = "blocks", mixinStandardHelpOptions = true,
            description = "Building blocks: an interactive page per image with the layer's activation grid, semantic "
                    + "dictionaries, spatial and channel attribution and neuron groups.")
    static final class Blocks implements Callable<Integer> {
        @Mixin
        ModelOptions model;
        @Mixin
        ImageOptions imageOptions;
        @Option(names = "--layer", paramLabel = "LAYER",
                description = "Spatial layer (default: the zoo model's Grad-CAM layer).")
        String layer;
        @Option(names = {"-t", "--target"}, paramLabel = "CLASS", description = "Class to attribute (default: the "
                + "predicted class).")
        String target;
        @Option(names = "--groups", defaultValue = "3", description = "Neuron groups (default ${DEFAULT-VALUE}).")
        int groups;
        @Option(names = "--steps", defaultValue = "256", description = "Optimisation steps (default ${DEFAULT-VALUE}).")
        int steps;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<File> files = imageOptions.imageFiles();
            ModelOptions.Loaded l = model.load();
            if (layer == null && l.entry == null) {
                throw new CliException("Give --layer: a spatial layer of the model");
            }
            String v = layer != null ? l.vertex(layer) : l.entry.vertex(l.entry.gradCamLayer());
            BuildingBlocks bb = BuildingBlocks.builder(l.model, v).groups(groups).steps(steps)
                    .target(target == null ? Targets.predicted() : Targets.logit(l.classes.indexOf(target))).build();
            for (File f : files) {
                INDArray x = imageOptions.loadImages(l.model, List.of(f));
                File page = new File(model.out, stem(f) + "-blocks.html");
                BuildingBlocksPage.write(bb.explain(x), page, l.banner());
                spec.commandLine().getOut().println(f.getName() + "\t" + page.getPath());
            }
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Gradient self-check: compare the engine's input gradient with central finite differences "
                    + "in double precision at random input values of the given images. Exit code 0 when it passes, "
                    + "4 when it fails.")
    static final class Check implements Callable<Integer> {
        @Mixin
        ModelOptions model;
        @Mixin
        ImageOptions imageOptions;
        @Mixin
        TargetOptions targets;
        @Option(names = "--points", defaultValue = "32", description = "Input values checked per run "
                + "(default ${DEFAULT-VALUE}).")
        int points;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<File> files = imageOptions.imageFiles();
            ModelOptions.Loaded l = model.load();
            INDArray x = imageOptions.loadImages(l.model, files);
            int[][] classes = targets.classes(l, x);
            int[] first = new int[classes.length];
            for (int i = 0; i < classes.length; i++) {
                first[i] = classes[i][0];
            }
            org.deeplearning4j.interpret.check.GradientCheckResult r = org.deeplearning4j.interpret.check
                    .GradientCheck.builder(l.model).points(points).build().run(x, Targets.logits(first));
            spec.commandLine().getOut().println(r);
            if (!model.out.isDirectory() && !model.out.mkdirs()) {
                throw new java.io.IOException("Cannot create " + model.out);
            }
            File html = new File(model.out, "check.html");
            HtmlReport.builder(l.mark("Gradient check of " + model.model)).section(r.passed() ? "Passed" : "Failed",
                    r.toString()).build().write(html);
            spec.commandLine().getOut().println("report\t" + html.getPath());
            return r.passed() ? 0 : CHECK_FAILED;
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = "Which map can I trust on this model? Scores attribution methods on your images: deletion "
                    + "and insertion curves (and ROAD) against random pixel order, the parameter-randomization sanity "
                    + "check, infidelity, sensitivity and completeness. Writes scorecard.html and scorecard.csv.")
    static final class Evaluate implements Callable<Integer> {
        @Mixin
        ModelOptions model;
        @Mixin
        ImageOptions imageOptions;
        @Option(names = "--methods", split = ",", defaultValue = "saliency,integrated-gradients,occlusion",
                paramLabel = "M", description = "Methods to score (default ${DEFAULT-VALUE}).")
        List<String> methods;
        @Option(names = "--metrics", split = ",", defaultValue = "deletion,insertion,randomization", paramLabel = "X",
                description = "Metrics: deletion, insertion, road, randomization, infidelity, sensitivity, "
                        + "completeness (default ${DEFAULT-VALUE}).")
        List<String> metrics;
        @Option(names = "--limit", defaultValue = "16", description = "Most images scored (default ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--curve-steps", defaultValue = "16", description = "Deletion/insertion steps (default "
                + "${DEFAULT-VALUE}).")
        int curveSteps;
        @Option(names = "--layer", paramLabel = "LAYER", description = "Layer for the CAM methods.")
        String layer;
        @Mixin
        MethodOptions options;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of every metric (default ${DEFAULT-VALUE}).")
        long seed;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<MethodScorecard.Metric> chosen = new ArrayList<>();
            for (String m : metrics) {
                try {
                    chosen.add(MethodScorecard.Metric.valueOf(m.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw CliException.usage("Unknown metric '" + m + "'. Metrics: deletion, insertion, road, "
                            + "randomization, infidelity, sensitivity, completeness");
                }
            }
            for (String m : methods) {
                checkMethod(m);
            }
            options.validate();
            if (limit < 1) {
                throw new CliException("--limit must be >= 1, got " + limit);
            }
            List<File> files = imageOptions.imageFiles();
            files = files.subList(0, Math.min(files.size(), limit));
            ModelOptions.Loaded l = model.load();
            MethodScorecard.Builder b = MethodScorecard.builder(l.model).metrics(chosen
                    .toArray(new MethodScorecard.Metric[0])).limit(limit).steps(curveSteps).seed(seed)
                    .progress(ProgressBar.forTerminal(spec.commandLine().getErr()));
            for (String m : methods) {
                b.method(m.toLowerCase(Locale.ROOT), methodFactory(m, l, layer, options));
            }
            MethodScorecard card = b.build();
            ScorecardResult r = card.run(imageOptions.loadBatches(l.model, files).iterator());
            if (!model.out.isDirectory() && !model.out.mkdirs()) {
                throw new IOException("Cannot create " + model.out);
            }
            File html = new File(model.out, "scorecard.html");
            File csv = new File(model.out, "scorecard.csv");
            ScorecardPage.write(r, l.model.inputSpec(), html, l.banner());
            r.writeCsv(csv);
            spec.commandLine().getOut().print(r);
            spec.commandLine().getOut().println("csv\t" + csv.getPath());
            spec.commandLine().getOut().println("report\t" + html.getPath());
            return 0;
        }
    }

    @Command(name = "models", mixinStandardHelpOptions = true,
            description = "List the zoo models with their input, Grad-CAM layer and layers worth visualising.")
    static final class ModelsCmd implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (ZooEntry e : Zoo.all()) {
                spec.commandLine().getOut().println(e.name() + "\t" + e.description() + "\tGrad-CAM " + e.gradCamLayer()
                        + "\tvisualise " + e.visualizationLayers() + "\tweights "
                        + (e.hasPretrainedWeights() ? e.weightsFileName() : "train your own"));
            }
            return 0;
        }
    }

    /** Smallest side of a heatmap figure: small inputs (28 px) are enlarged so that they can be read. */
    static final int FIGURE_SIDE = 224;

    /**
     * @param options a result's options
     * @return them in words for a caption, e.g. "; steps 50, baselines zeros"
     */
    static String describe(java.util.Map<String, String> options) {
        if (options.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        options.forEach((k, v) -> parts.add(k.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT) + " "
                + v));
        return "; " + String.join(", ", parts);
    }

    static String stem(File f) {
        String n = f.getName();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
