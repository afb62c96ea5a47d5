package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.concepts.ConceptScore;
import org.deeplearning4j.interpret.concepts.Tcav;
import org.deeplearning4j.interpret.concepts.TcavResult;
import org.deeplearning4j.interpret.io.ImageLoader;
import org.deeplearning4j.interpret.render.TcavPage;
import org.deeplearning4j.interpret.targets.Targets;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code interpret tcav}: which human concepts (given by example images) matter for a class, at a layer. */
@Command(name = "tcav", mixinStandardHelpOptions = true,
        description = "Concept test (TCAV): does a concept, given by example images, matter for a class at a layer? "
                + "Writes tcav.html (scores, significance) and tcav.csv.")
final class TcavCmd implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--layer", required = true, paramLabel = "LAYER",
            description = "Layer whose activations the concept vectors live in (a middle layer works best).")
    String layer;

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "CLASS",
            description = "The class to test: index or name.")
    String target;

    @Option(names = {"-i", "--class-images"}, required = true, split = ",", paramLabel = "FILE|DIR",
            description = "Images of the class.")
    List<File> classImages;

    @Option(names = "--concept", required = true, paramLabel = "NAME=DIR",
            description = "A concept and a folder of its example images; repeat for more concepts.")
    Map<String, File> concepts;

    @Option(names = "--random", required = true, paramLabel = "DIR",
            description = "A folder of random images; give at least 3 (the first is the chance concept, each other "
                    + "one repetition of the test).")
    List<File> randomSets;

    @Option(names = "--alpha", defaultValue = "" + Tcav.DEFAULT_ALPHA, paramLabel = "P",
            description = "Significance level of the t-test (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--crop-fraction", paramLabel = "F", defaultValue = "0.875",
            description = "When an image must be resized: the centre crop's share of the resized shorter side.")
    double cropFraction;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (randomSets.size() < 3) {
            throw CliException.usage("--random must be given at least 3 times (one folder per random set), got "
                    + randomSets.size());
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw CliException.usage("--alpha must be in (0, 1), got " + alpha);
        }
        // every image is found before the (slow) model load
        List<File> classFiles = ImageOptions.expand(classImages);
        Map<String, List<File>> conceptFiles = new LinkedHashMap<>();
        for (Map.Entry<String, File> e : concepts.entrySet()) {
            conceptFiles.put(e.getKey(), ImageOptions.expand(List.of(e.getValue())));
        }
        List<List<File>> randomFiles = new ArrayList<>();
        for (File f : randomSets) {
            randomFiles.add(ImageOptions.expand(List.of(f)));
        }
        ModelOptions.Loaded l = model.load();
        int c = l.classes.indexOf(target);
        String vertex = l.vertex(layer);
        ImageLoader loader = ImageLoader.of(l.model.inputSpec(), cropFraction);
        Map<String, INDArray> conceptImages = new LinkedHashMap<>();
        for (Map.Entry<String, List<File>> e : conceptFiles.entrySet()) {
            conceptImages.put(e.getKey(), loader.load(e.getValue()));
        }
        List<INDArray> randoms = new ArrayList<>();
        for (List<File> r : randomFiles) {
            randoms.add(loader.load(r));
        }
        TcavResult r = Tcav.builder(l.model).layer(vertex).alpha(alpha)
                .progress(ProgressBar.forTerminal(spec.commandLine().getErr())).build()
                .test(loader.load(classFiles), Targets.logit(c), conceptImages, randoms);
        if (!model.out.isDirectory() && !model.out.mkdirs()) {
            throw new IOException("Cannot create " + model.out);
        }
        File html = new File(model.out, "tcav.html");
        File csv = new File(model.out, "tcav.csv");
        TcavPage.write(r, html, l.banner());
        r.saveCsv(csv);
        for (ConceptScore s : r.concepts()) {
            spec.commandLine().getOut().println(s);
        }
        spec.commandLine().getOut().println("csv\t" + csv.getPath());
        spec.commandLine().getOut().println("report\t" + html.getPath());
        return 0;
    }
}
