package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.io.Npy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One number per example from a metric, with its provenance and which direction is better. Immutable. */
public final class MetricResult {
    private final String metric;
    private final String method;
    private final String target;
    private final Map<String, String> options;
    private final double[] values;
    private final boolean higherIsBetter;

    /**
     * @param metric metric name, e.g. {@code infidelity}
     * @param method the attribution method scored
     * @param target target description
     * @param options options used
     * @param values one value per example
     * @param higherIsBetter the direction of a better score
     */
    public MetricResult(String metric, String method, String target, Map<String, String> options, double[] values,
            boolean higherIsBetter) {
        this.metric = metric;
        this.method = method;
        this.target = target;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.values = values.clone();
        this.higherIsBetter = higherIsBetter;
    }

    /** @return the metric name */
    public String metric() {
        return metric;
    }

    /** @return the method scored */
    public String method() {
        return method;
    }

    /** @return the target description */
    public String target() {
        return target;
    }

    /** @return options used (read-only) */
    public Map<String, String> options() {
        return options;
    }

    /** @return one value per example, {@code [N]} */
    public INDArray values() {
        return Nd4j.createFromArray(values.clone());
    }

    /**
     * @param i example
     * @return its value
     */
    public double value(int i) {
        return values[i];
    }

    /** @return the number of examples */
    public int size() {
        return values.length;
    }

    /** @return the mean over examples */
    public double mean() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }

    /** @return the sample standard deviation over examples (0 for one example) */
    public double std() {
        if (values.length < 2) {
            return 0;
        }
        double m = mean();
        double s = 0;
        for (double v : values) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (values.length - 1));
    }

    /** @return true when a higher value is better */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * Writes {@code example,<metric>} rows.
     *
     * @param file destination
     * @throws IOException on failure
     */
    public void writeCsv(File file) throws IOException {
        StringBuilder sb = new StringBuilder("example," + metric + "\n");
        for (int i = 0; i < values.length; i++) {
            sb.append(i).append(',').append(String.format(Locale.ROOT, "%.9g", values[i])).append('\n');
        }
        Files.writeString(file.toPath(), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * @param file destination of the {@code [N]} values as {@code .npy}
     * @throws IOException on failure
     */
    public void saveNpy(File file) throws IOException {
        Npy.write(values(), file);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s of %s [%s]: mean %.6g (sd %.3g, %d examples; %s is better)", metric,
                method, target, mean(), std(), values.length, higherIsBetter ? "higher" : "lower");
    }
}
