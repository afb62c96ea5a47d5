package org.deeplearning4j.interpret.evaluation;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A scorecard: per method the metric values over the scored images, the curves, the sanity check and an example
 * map. Immutable; render it with {@link org.deeplearning4j.interpret.render.ScorecardPage}.
 */
public final class ScorecardResult {
    private final Map<String, String> options;
    private final Map<String, Map<String, MetricResult>> table;
    private final Map<String, Map<String, Curves>> curves;
    private final Map<String, RandomizationResult> sanity;
    private final INDArray exampleInput;
    private final Map<String, INDArray> exampleMaps;
    private final Map<String, Boolean> signed;

    ScorecardResult(Map<String, String> options, Map<String, Map<String, MetricResult>> table,
            Map<String, Map<String, Curves>> curves, Map<String, RandomizationResult> sanity, INDArray exampleInput,
            Map<String, INDArray> exampleMaps, Map<String, Boolean> signed) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.table = deepCopy(table);
        this.curves = deepCopy(curves);
        this.sanity = Collections.unmodifiableMap(new LinkedHashMap<>(sanity));
        this.exampleInput = exampleInput.dup();
        Map<String, INDArray> maps = new LinkedHashMap<>();
        exampleMaps.forEach((k, v) -> maps.put(k, v.dup()));
        this.exampleMaps = Collections.unmodifiableMap(maps);
        this.signed = Collections.unmodifiableMap(new LinkedHashMap<>(signed));
    }

    private static <V> Map<String, Map<String, V>> deepCopy(Map<String, Map<String, V>> m) {
        Map<String, Map<String, V>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        return Collections.unmodifiableMap(out);
    }

    /** @return how the scorecard was made (images, steps, seed, ...) */
    public Map<String, String> options() {
        return options;
    }

    /** @return the method names, in the order given */
    public List<String> methods() {
        return new ArrayList<>(table.keySet());
    }

    /** @return the metric names over all methods, in first-seen order */
    public List<String> metrics() {
        Set<String> s = new LinkedHashSet<>();
        table.values().forEach(r -> s.addAll(r.keySet()));
        return new ArrayList<>(s);
    }

    /**
     * @param method a method name
     * @param metric a metric name
     * @return the per-image values, if that metric ran for that method
     */
    public Optional<MetricResult> value(String method, String metric) {
        Map<String, MetricResult> row = table.get(method);
        return row == null ? Optional.empty() : Optional.ofNullable(row.get(metric));
    }

    /**
     * @param method a method name
     * @return its curves by kind ({@code deletion}, {@code insertion}, ...)
     */
    public Map<String, Curves> curves(String method) {
        return curves.getOrDefault(method, Map.of());
    }

    /**
     * @param method a method name
     * @return its sanity check, if it ran
     */
    public Optional<RandomizationResult> sanityCheck(String method) {
        return Optional.ofNullable(sanity.get(method));
    }

    /** @return the first scored image {@code [1, C, H, W]} (model input space) */
    public INDArray exampleInput() {
        return exampleInput.dup();
    }

    /**
     * @param method a method name
     * @return its map of the first image {@code [H, W]}
     */
    public INDArray exampleMap(String method) {
        return exampleMaps.get(method).dup();
    }

    /**
     * @param method a method name
     * @return true if its maps are signed
     */
    public boolean isSigned(String method) {
        return signed.getOrDefault(method, false);
    }

    /**
     * Writes {@code method,metric,mean,sd,n,better} rows, plus a sanity-check row per method.
     *
     * @param file destination
     * @throws IOException on failure
     */
    public void writeCsv(File file) throws IOException {
        StringBuilder sb = new StringBuilder("method,metric,mean,sd,n,better\n");
        for (String m : methods()) {
            for (MetricResult r : table.get(m).values()) {
                sb.append(String.format(Locale.ROOT, "\"%s\",\"%s\",%.9g,%.9g,%d,%s%n", m, r.metric(), r.mean(),
                        r.std(), r.size(), r.higherIsBetter() ? "higher" : "lower"));
            }
            RandomizationResult s = sanity.get(m);
            if (s != null) {
                double[] v = s.meanSimilarity(RandomizationResult.VERDICT_MEASURE);
                sb.append(String.format(Locale.ROOT, "\"%s\",\"randomization spearman-abs (%s)\",%.9g,,,%s%n", m,
                        s.passed() ? "passed" : "failed", v[v.length - 1], "lower"));
            }
        }
        Files.writeString(file.toPath(), sb.toString(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Scorecard " + options + "\n");
        for (String m : methods()) {
            sb.append(m).append(':');
            for (MetricResult r : table.get(m).values()) {
                sb.append(String.format(Locale.ROOT, " %s=%.4g", r.metric(), r.mean()));
            }
            RandomizationResult s = sanity.get(m);
            if (s != null) {
                sb.append(" sanity=").append(s.passed() ? "passed" : "FAILED");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
