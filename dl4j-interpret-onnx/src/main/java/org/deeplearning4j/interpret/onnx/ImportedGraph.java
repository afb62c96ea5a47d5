package org.deeplearning4j.interpret.onnx;

import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.nd4j.autodiff.samediff.SameDiff;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An ONNX model imported by {@link OnnxImport}: the SameDiff graph, its input and output, the repairs applied and how
 * closely it agrees with ONNX Runtime. Immutable apart from the graph itself, which the caller owns.
 */
public final class ImportedGraph {
    private final SameDiff graph;
    private final String input;
    private final String output;
    private final long[] inputShape;
    private final List<String> repairs;
    private final double difference;
    private final double seconds;
    private final int samples;
    private final File source;

    ImportedGraph(SameDiff graph, String input, String output, long[] inputShape, List<String> repairs,
            double difference, double seconds, int samples, File source) {
        this.graph = graph;
        this.input = input;
        this.output = output;
        this.inputShape = inputShape.clone();
        this.repairs = List.copyOf(repairs);
        this.difference = difference;
        this.seconds = seconds;
        this.samples = samples;
        this.source = source;
    }

    /** @return the imported graph (weights as constants; the library never changes it) */
    public SameDiff graph() {
        return graph;
    }

    /** @return the input placeholder's name in the graph */
    public String input() {
        return input;
    }

    /** @return the output variable's name in the graph (the class scores) */
    public String output() {
        return output;
    }

    /** @return the input's shape as the model declares it, -1 for a free (batch) dimension */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** @return what was repaired on the way, one line each (empty if nothing) */
    public List<String> repairs() {
        return repairs;
    }

    /**
     * @return the largest difference of the output from ONNX Runtime's over the verification inputs, relative to
     *         the largest output magnitude (at least 1); NaN if verification was skipped
     */
    public double differenceFromOnnxRuntime() {
        return difference;
    }

    /** @return how long ND4J's importer took, in seconds */
    public double importSeconds() {
        return seconds;
    }

    /**
     * @param spec the input's shape and range ({@code [C, H, W]} must match the model's input)
     * @return the graph wrapped for interpretation, its output taken as the logits
     */
    public InterpretableModel model(InputSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec is null: give the input's shape and range, e.g. "
                    + "InputSpec.builder().shape(3, 224, 224).pixelRange(0, 1).build()");
        }
        if (inputShape.length == 4 && spec.hasSpatialSize() && (spec.channels() != inputShape[1]
                || (inputShape[2] > 0 && spec.height() != inputShape[2])
                || (inputShape[3] > 0 && spec.width() != inputShape[3]))) {
            throw new IllegalArgumentException("The input spec " + spec + " does not match the ONNX model's input "
                    + input + " " + Arrays.toString(inputShape));
        }
        return Models.builder(graph, input, output).inputSpec(spec).build();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ImportedGraph[%s: %s %s -> %s, %d ops, imported in %.2f s, difference "
                + "from ONNX Runtime %.2e on %d inputs, repairs %s]", source.getName(), input,
                Arrays.toString(inputShape), output, graph.getOps().size(), seconds, difference, samples, repairs);
    }
}
