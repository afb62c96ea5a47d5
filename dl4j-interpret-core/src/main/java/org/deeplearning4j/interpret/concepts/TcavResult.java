package org.deeplearning4j.interpret.concepts;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The outcome of a TCAV test: every concept's scores and significance, and the random CAVs' scores. Immutable. */
public final class TcavResult {
    private final String layer;
    private final String target;
    private final double alpha;
    private final int classImages;
    private final List<ConceptScore> concepts;
    private final double[] randomScores;

    TcavResult(String layer, String target, double alpha, int classImages, List<ConceptScore> concepts,
            double[] randomScores) {
        this.layer = layer;
        this.target = target;
        this.alpha = alpha;
        this.classImages = classImages;
        this.concepts = List.copyOf(concepts);
        this.randomScores = randomScores.clone();
    }

    /** @return the layer the CAVs live in */
    public String layer() {
        return layer;
    }

    /** @return the target whose derivative was taken */
    public String target() {
        return target;
    }

    /** @return the significance level of the test */
    public double alpha() {
        return alpha;
    }

    /** @return how many class images each score is a fraction of */
    public int classImages() {
        return classImages;
    }

    /** @return every concept's scores, in the order given */
    public List<ConceptScore> concepts() {
        return concepts;
    }

    /**
     * @param name a concept's name
     * @return its scores
     * @throws IllegalArgumentException naming the concepts
     */
    public ConceptScore concept(String name) {
        return concepts.stream().filter(c -> c.concept().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no concept '" + name + "'; concepts: "
                        + concepts.stream().map(ConceptScore::concept).toList()));
    }

    /** @return the null: each random set's mean score as a concept against the other random sets */
    public double[] randomScores() {
        return randomScores.clone();
    }

    /** @return one row per concept and repetition: concept, repetition, score, CAV accuracy, p-value, significant */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("concept,repetition,tcav_score,cav_accuracy,p_value,significant\n");
        for (ConceptScore c : concepts) {
            double[] s = c.scores();
            double[] a = c.cavAccuracies();
            for (int i = 0; i < s.length; i++) {
                sb.append(String.format(Locale.ROOT, "\"%s\",%d,%.6f,%.6f,%.6g,%b%n", c.concept().replace("\"", "\"\""),
                        i, s[i], a[i], c.pValue(), c.significant()));
            }
        }
        for (int i = 0; i < randomScores.length; i++) {
            sb.append(String.format(Locale.ROOT, "\"(random)\",%d,%.6f,,,%n", i, randomScores[i]));
        }
        return sb.toString();
    }

    /**
     * @param file where to write {@link #toCsv()}
     * @throws IOException on failure
     */
    public void saveCsv(File file) throws IOException {
        Files.writeString(file.toPath(), toCsv(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "TCAV at " + layer + " for " + target + " (alpha " + alpha + "): " + concepts + ", random "
                + Arrays.toString(randomScores);
    }
}
