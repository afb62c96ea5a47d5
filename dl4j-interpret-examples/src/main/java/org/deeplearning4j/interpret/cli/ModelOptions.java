package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.model.ClassNames;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The options every subcommand shares: which model, which images, where to write. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME|FILE",
            description = "A zoo model (vgg16, vgg19, resnet50, small-vgg, small-resnet) or a DL4J model zip saved with "
                    + "net.save(file).")
    String model;

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE|DIR|random",
            description = "Zoo weights: the model zip or its folder (offline), 'random' for random weights (testing); "
                    + "default: DL4J's pretrained download (cached in ~/.deeplearning4j).")
    String weights;

    @Option(names = {"-o", "--out"}, defaultValue = "interpret-output", paramLabel = "DIR",
            description = "Output folder for PNGs, .npy arrays and report.html (default: ${DEFAULT-VALUE}).")
    File out;

    @Option(names = "--shape", split = ",", paramLabel = "C,H,W",
            description = "Input shape of a model file whose configuration does not record it.")
    long[] shape;

    @Option(names = "--pixel-max", defaultValue = "1", paramLabel = "MAX",
            description = "Largest pixel value a model file expects (1 or 255; default ${DEFAULT-VALUE}).")
    double pixelMax;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names for a model file, one per line.")
    File labels;

    @Option(names = "--neutral", split = ",", paramLabel = "V",
            description = "The input value that means 'nothing here' (per channel, in the model's input space), used "
                    + "by occlusion patches, deletion fills and the grey baseline; e.g. 0 for images on a black "
                    + "background such as Fashion-MNIST. Default: mid-grey of the pixel range.")
    double[] neutral;

    /** What the options resolve to. */
    static final class Loaded {
        final InterpretableModel model;
        final ZooEntry entry;
        final ClassNames classes;
        /** True when the weights are random (-w random): every caption and page says so. */
        final boolean randomWeights;

        Loaded(InterpretableModel model, ZooEntry entry, ClassNames classes, boolean randomWeights) {
            this.model = model;
            this.entry = entry;
            this.classes = classes;
            this.randomWeights = randomWeights;
        }

        /** @return the warning banner for pages when the weights are random, else null */
        String banner() {
            return randomWeights ? "RANDOM WEIGHTS (-w random): the predictions and maps below are meaningless; "
                    + "use them to test the pipeline only" : null;
        }

        /**
         * @param text a caption or title
         * @return it, marked when the weights are random
         */
        String mark(String text) {
            return randomWeights ? "RANDOM WEIGHTS (meaningless predictions) - " + text : text;
        }

        /**
         * @param layer a human-readable zoo name or a vertex name
         * @return the vertex name
         */
        String vertex(String layer) {
            return entry != null ? entry.vertex(layer) : model.layer(layer).name();
        }
    }

    Loaded load() throws IOException {
        if (pixelMax != 1 && pixelMax != 255) {
            throw CliException.usage("--pixel-max must be 1 (pixels in 0..1) or 255 (pixels in 0..255), got "
                    + pixelMax);
        }
        File f = new File(model);
        boolean looksLikePath = model.contains("/") || model.contains(File.separator) || model.toLowerCase(
                java.util.Locale.ROOT).endsWith(".zip");
        if (!f.isFile() && looksLikePath) {
            throw new CliException("Model file not found: " + f.getAbsolutePath());
        }
        if (f.isFile()) {
            org.deeplearning4j.nn.api.Model net = Models.load(f);
            Models.Builder b = Models.builder(net);
            if (shape != null) {
                if (shape.length != 3) {
                    throw new CliException("--shape needs C,H,W, got " + Arrays.toString(shape));
                }
                InputSpec.Builder sb = InputSpec.builder().shape(shape[0], shape[1], shape[2]).pixelRange(0, pixelMax);
                if (neutral != null) {
                    sb.neutralValues(neutral);
                }
                b.inputSpec(sb.build());
            } else if (neutral != null) {
                throw CliException.usage("--neutral needs --shape C,H,W for a model file");
            }
            InterpretableModel m = b.build();
            if (!m.inputSpec().hasSpatialSize()) {
                throw new CliException("The model file does not record its input size; pass --shape C,H,W");
            }
            ClassNames names = labels != null ? readLabels(labels) : ClassNames.of(defaultNames(m.numClasses()));
            if (labels != null && m.numClasses() > 0 && names.size() < m.numClasses()) {
                throw new CliException("The labels file " + labels.getAbsolutePath() + " has " + names.size()
                        + " names, but the model has " + m.numClasses() + " classes: give one name per line for "
                        + "every class");
            }
            return new Loaded(m, null, names, false);
        }
        ZooEntry e;
        try {
            e = Zoo.get(model);
        } catch (IllegalArgumentException ex) {
            throw new CliException(ex.getMessage() + " (or give the path of a DL4J model zip; '" + model
                    + "' is not a file)");
        }
        ComputationGraph g;
        if ("random".equalsIgnoreCase(weights)) {
            g = e.randomInit(1);
        } else if (weights != null) {
            g = e.load(new File(weights));
        } else {
            g = e.pretrained();
        }
        InterpretableModel m = neutral == null ? e.interpretable(g) : Models.builder(g).inputSpec(e.inputSpec()
                .toBuilder().neutralValues(neutral).build()).build();
        return new Loaded(m, e, e.classNames(), "random".equalsIgnoreCase(weights));
    }

    private static ClassNames readLabels(File f) throws IOException {
        try (InputStream in = new FileInputStream(f)) {
            return ClassNames.read(in);
        }
    }

    private static List<String> defaultNames(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(n, 1); i++) {
            out.add("class " + i);
        }
        return out;
    }
}
