package org.deeplearning4j.interpret.onnx;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Imports an ONNX model (e.g. a PyTorch model exported with {@code torch.onnx.export}) as a SameDiff graph the
 * library can interpret, through ND4J's own importer ({@code samediff-import-onnx}), and <b>verifies</b> it: the
 * imported graph's outputs must agree with ONNX Runtime's on seeded random inputs, else the import is refused with
 * the difference shown. Two defects of ND4J 1.0.0-M2.1's importer are repaired on the way ({@link OnnxRepairs}):
 * value names containing {@code ::} (PyTorch's names for batch norms folded into convolutions), which the importer
 * cannot resolve, are renamed before import; and Gemm ops (PyTorch's {@code nn.Linear}), whose bias the imported
 * {@code matmul} ignores, get it added back. Each repair is listed in the result.
 *
 * <pre>{@code
 * InterpretableModel model = OnnxImport.builder(new File("resnet.onnx")).build().run()
 *         .model(InputSpec.builder().shape(3, 224, 224).pixelRange(0, 1).build());
 * AttributionResult r = IntegratedGradients.of(model).attribute(images, Targets.predicted());
 * }</pre>
 *
 * Immutable; {@link #run()} may be called again (it imports afresh).
 */
public final class OnnxImport {
    private static final Logger log = LoggerFactory.getLogger(OnnxImport.class);
    /** Default largest accepted difference from ONNX Runtime, relative to the largest output magnitude (at least 1). */
    public static final double DEFAULT_TOLERANCE = 1e-4;
    /** Default number of random input batches the import is verified on. */
    public static final int DEFAULT_SAMPLES = 3;
    /** Default batch size of each verification input (where the model's batch dimension is free). */
    public static final int DEFAULT_BATCH = 2;

    private final File file;
    private final String input;
    private final String output;
    private final double tolerance;
    private final int samples;
    private final long seed;
    private final double low;
    private final double high;

    private OnnxImport(Builder b) {
        this.file = b.file;
        this.input = b.input;
        this.output = b.output;
        this.tolerance = b.tolerance;
        this.samples = b.samples;
        this.seed = b.seed;
        this.low = b.low;
        this.high = b.high;
    }

    /**
     * @param onnxFile an {@code .onnx} model file
     * @return a builder
     */
    public static Builder builder(File onnxFile) {
        return new Builder(onnxFile);
    }

    /**
     * Imports with the defaults and wraps the graph.
     *
     * @param onnxFile an {@code .onnx} model file with one input and one output (the pre-softmax class scores)
     * @param spec the input's shape and range
     * @return the verified model
     */
    public static InterpretableModel load(File onnxFile, InputSpec spec) {
        return builder(onnxFile).inputRange(spec.pixelMin(), spec.pixelMax()).build().run().model(spec);
    }

    /**
     * @return the imported, repaired and verified graph
     * @throws InterpretException if the file cannot be read or imported, or the graph disagrees with ONNX Runtime
     */
    public ImportedGraph run() {
        OnnxRepairs.Prepared prepared = OnnxRepairs.prepare(file, input, output);
        List<String> repairs = new ArrayList<>(prepared.repairs);
        File toImport = prepared.file;
        long t0 = System.nanoTime();
        SameDiff sd;
        try {
            sd = new OnnxFrameworkImporter().runImport(toImport.getAbsolutePath(), Collections.emptyMap(), false);
        } catch (RuntimeException e) {
            throw new InterpretException("ND4J's ONNX importer failed on " + file + ": " + e.getMessage()
                    + ". The graph uses an op or attribute that samediff-import-onnx 1.0.0-M2.1 does not convert; "
                    + "re-export it with a plainer op set (e.g. opset 13, no custom ops)", e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        repairs.addAll(OnnxRepairs.repairGraph(sd));
        if (sd.getVariable(prepared.input) == null || sd.getVariable(prepared.output) == null) {
            throw new InterpretException("The imported graph of " + file + " lacks its input '" + prepared.input
                    + "' or output '" + prepared.output + "'");
        }
        double diff = verify(sd, prepared, repairs);
        log.info("Imported {} in {} s ({} ops); {} repairs; largest difference from ONNX Runtime {} on {} inputs",
                file.getName(), String.format(Locale.ROOT, "%.2f", seconds), sd.getOps().size(), repairs.size(),
                String.format(Locale.ROOT, "%.2e", diff), samples);
        if (prepared.file != file && !prepared.file.delete()) {
            prepared.file.deleteOnExit();
        }
        return new ImportedGraph(sd, prepared.input, prepared.output, prepared.inputShape, repairs, diff, seconds,
                samples, file);
    }

    /** @return the largest relative difference of the outputs from ONNX Runtime's */
    private double verify(SameDiff sd, OnnxRepairs.Prepared prepared, List<String> repairs) {
        if (samples == 0) {
            return Double.NaN;
        }
        long[] shape = prepared.inputShape.clone();
        if (shape[0] < 0) {
            shape[0] = DEFAULT_BATCH;
        }
        for (int i = 1; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new InterpretException("The input '" + prepared.input + "' of " + file + " has a free dimension "
                        + i + " " + java.util.Arrays.toString(prepared.inputShape) + "; export it with a fixed input "
                        + "size (only the batch may be free)");
            }
        }
        double worst = 0;
        try (org.nd4j.onnxruntime.runner.OnnxRuntimeRunner ort = new org.nd4j.onnxruntime.runner.OnnxRuntimeRunner(
                prepared.file.getAbsolutePath())) {
            org.nd4j.linalg.api.rng.Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
            for (int s = 0; s < samples; s++) {
                INDArray x = Nd4j.rand(rng, shape).castTo(DataType.FLOAT).muli(high - low).addi(low);
                INDArray ours;
                try {
                    ours = sd.output(java.util.Map.of(prepared.input, x), prepared.output).get(prepared.output);
                } catch (RuntimeException e) {
                    throw new InterpretException("The imported graph of " + file + " cannot run in SameDiff: "
                            + e.getMessage() + ". The importer produced an inconsistent graph; repairs applied: "
                            + repairs, e);
                }
                INDArray ref = ort.exec(java.util.Map.of(prepared.input, x)).get(prepared.output);
                if (ref == null || !java.util.Arrays.equals(ours.shape(), ref.shape())) {
                    throw new InterpretException("The imported graph of " + file + " gives output '"
                            + prepared.output + "' of shape " + java.util.Arrays.toString(ours.shape())
                            + ", ONNX Runtime " + (ref == null ? "none" : java.util.Arrays.toString(ref.shape())));
                }
                INDArray r = ref.castTo(DataType.DOUBLE);
                double scale = Math.max(1, r.amaxNumber().doubleValue());
                double d = ours.castTo(DataType.DOUBLE).sub(r).amaxNumber().doubleValue() / scale;
                worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            }
        }
        if (!(worst <= tolerance)) {
            throw new InterpretException(String.format(Locale.ROOT, "The imported graph of %s disagrees with ONNX "
                    + "Runtime: its output '%s' differs by %.3e (relative to the largest output, at least 1) on %d "
                    + "random inputs, more than the tolerance %.1e. The importer converted an op wrongly; repairs "
                    + "applied: %s", file, prepared.output, worst, samples, tolerance, repairs));
        }
        return worst;
    }

    /** Options. */
    public static final class Builder {
        private final File file;
        private String input;
        private String output;
        private double tolerance = DEFAULT_TOLERANCE;
        private int samples = DEFAULT_SAMPLES;
        private long seed = 1;
        private double low = 0;
        private double high = 1;

        private Builder(File file) {
            if (file == null) {
                throw new IllegalArgumentException("onnx file is null");
            }
            this.file = file;
        }

        /**
         * @param name the input to interpret (default: the model's only input)
         * @return this
         */
        public Builder input(String name) {
            this.input = name;
            return this;
        }

        /**
         * @param name the output holding the class scores (default: the model's only output)
         * @return this
         */
        public Builder output(String name) {
            this.output = name;
            return this;
        }

        /**
         * @param t the largest accepted relative difference from ONNX Runtime (default 1e-4)
         * @return this
         */
        public Builder tolerance(double t) {
            if (!(t > 0) || !Double.isFinite(t)) {
                throw new IllegalArgumentException("tolerance must be finite and > 0, got " + t);
            }
            this.tolerance = t;
            return this;
        }

        /**
         * @param n random input batches to verify on (default 3; 0 skips the check, which leaves a wrong import
         *        undetected: only for models already verified)
         * @return this
         */
        public Builder verificationSamples(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("verificationSamples must be >= 0, got " + n);
            }
            this.samples = n;
            return this;
        }

        /**
         * @param s seed of the verification inputs
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param min smallest input value of the verification inputs (default 0)
         * @param max largest (default 1)
         * @return this
         */
        public Builder inputRange(double min, double max) {
            if (!(min < max) || !Double.isFinite(min) || !Double.isFinite(max)) {
                throw new IllegalArgumentException("inputRange needs finite min < max, got " + min + ", " + max);
            }
            this.low = min;
            this.high = max;
            return this;
        }

        /** @return the import, checked: the file must exist */
        public OnnxImport build() {
            if (!file.isFile() || !file.canRead()) {
                throw new IllegalArgumentException("ONNX file " + file.getAbsolutePath() + " does not exist or cannot"
                        + " be read");
            }
            try {
                if (Files.size(file.toPath()) == 0) {
                    throw new IllegalArgumentException("ONNX file " + file + " is empty");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("ONNX file " + file + " cannot be read: " + e.getMessage(), e);
            }
            return new OnnxImport(this);
        }
    }
}
