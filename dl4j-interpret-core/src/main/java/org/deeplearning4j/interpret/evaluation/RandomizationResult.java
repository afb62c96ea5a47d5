package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.io.Npy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a sanity check: per randomization stage and example, how similar the maps stayed to the original
 * ones, the verdict, and the first example's map at every stage (for figures). Immutable.
 */
public final class RandomizationResult {
    /** The similarity measures, in the order of {@link #similarity(String)}'s rows. */
    public static final List<String> MEASURES = List.of("spearman", "spearman-abs", "ssim", "hog");
    /** The measure the verdict reads. */
    public static final String VERDICT_MEASURE = "spearman-abs";

    /** How the stages decide the verdict. */
    enum Verdict { LAST_STAGE, HALF_OF_STAGES }

    private final String method;
    private final String check;
    private final String target;
    private final List<String> stages;
    private final double[][][] similarity;
    private final List<INDArray> exampleMaps;
    private final double threshold;
    private final Verdict verdict;

    RandomizationResult(String method, String check, String target, List<String> stages, double[][][] similarity,
            List<INDArray> exampleMaps, double threshold, Verdict verdict) {
        this.method = method;
        this.check = check;
        this.target = target;
        this.stages = List.copyOf(stages);
        this.similarity = similarity;
        this.exampleMaps = List.copyOf(exampleMaps);
        this.threshold = threshold;
        this.verdict = verdict;
    }

    /** @return per measure, per example: similarity of {@code a}'s and {@code b}'s maps ({@code [N, H, W]} each) */
    static double[][] compare(INDArray a, INDArray b) {
        int n = (int) a.size(0);
        int h = (int) a.size(1);
        int w = (int) a.size(2);
        double[][] out = new double[MEASURES.size()][n];
        for (int i = 0; i < n; i++) {
            double[] ma = Maps.row(a, i);
            double[] mb = Maps.row(b, i);
            double[] na = Similarity.normalizedAbs(ma);
            double[] nb = Similarity.normalizedAbs(mb);
            out[0][i] = Similarity.spearman(ma, mb);
            out[1][i] = Similarity.spearman(na, nb);
            out[2][i] = Similarity.ssim(na, nb, h, w);
            out[3][i] = Similarity.hogSimilarity(na, nb, h, w);
        }
        return out;
    }

    /** @return the method checked */
    public String method() {
        return method;
    }

    /** @return which check, e.g. {@code cascading model-parameter randomization} */
    public String check() {
        return check;
    }

    /** @return the explained target */
    public String target() {
        return target;
    }

    /** @return the stage names, in order */
    public List<String> stages() {
        return stages;
    }

    /**
     * @param measure one of {@link #MEASURES}
     * @return per stage and example, {@code [stages, N]}
     */
    public INDArray similarity(String measure) {
        return Nd4j.createFromArray(similarity[index(measure)]);
    }

    /**
     * @param measure one of {@link #MEASURES}
     * @return per stage, the mean over the batch
     */
    public double[] meanSimilarity(String measure) {
        double[][] s = similarity[index(measure)];
        double[] out = new double[s.length];
        for (int k = 0; k < s.length; k++) {
            double sum = 0;
            for (double v : s[k]) {
                sum += v;
            }
            out[k] = sum / s[k].length;
        }
        return out;
    }

    private static int index(String measure) {
        int i = MEASURES.indexOf(measure);
        if (i < 0) {
            throw new IllegalArgumentException("Unknown measure '" + measure + "'; measures: " + MEASURES);
        }
        return i;
    }

    /** @return the threshold on the absolute maps' rank correlation */
    public double threshold() {
        return threshold;
    }

    /** @return true when the maps changed enough: the method depends on what it should explain */
    public boolean passed() {
        double[] s = meanSimilarity(VERDICT_MEASURE);
        if (verdict == Verdict.LAST_STAGE) {
            return s[s.length - 1] < threshold;
        }
        int below = 0;
        for (double v : s) {
            below += v < threshold ? 1 : 0;
        }
        return 2 * below >= s.length;
    }

    /** @return the first example's map: index 0 the original, then one per stage ({@code [H, W]} each) */
    public List<INDArray> exampleMaps() {
        return exampleMaps.stream().map(INDArray::dup).collect(java.util.stream.Collectors.toList());
    }

    /**
     * Writes {@code stage,example,spearman,spearman-abs,ssim,hog} rows.
     *
     * @param file destination
     * @throws IOException on failure
     */
    public void writeCsv(File file) throws IOException {
        StringBuilder sb = new StringBuilder("stage,example," + String.join(",", MEASURES) + "\n");
        for (int k = 0; k < stages.size(); k++) {
            for (int i = 0; i < similarity[0][k].length; i++) {
                sb.append('"').append(stages.get(k).replace("\"", "\"\"")).append("\",").append(i);
                for (double[][] m : similarity) {
                    sb.append(String.format(Locale.ROOT, ",%.6f", m[k][i]));
                }
                sb.append('\n');
            }
        }
        Files.writeString(file.toPath(), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * Writes the similarities as {@code <prefix>-<measure>.npy} ({@code [stages, N]}).
     *
     * @param dir folder
     * @param prefix file-name prefix
     * @throws IOException on failure
     */
    public void saveNpy(File dir, String prefix) throws IOException {
        for (String m : MEASURES) {
            Npy.write(similarity(m), new File(dir, prefix + "-" + m + ".npy"));
        }
    }

    @Override
    public String toString() {
        double[] s = meanSimilarity(VERDICT_MEASURE);
        return String.format(Locale.ROOT, "%s of %s [%s]: %s (absolute-map rank correlation %.3f at '%s', threshold "
                + "%.2f, %d stages)", check, method, target, passed() ? "passed" : "FAILED", s[s.length - 1],
                stages.get(stages.size() - 1), threshold, stages.size());
    }
}
