package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * Localization against ground truth, when object masks or boxes exist: the pointing game (does the map's maximum fall
 * on the object, within a tolerance?), the energy-based pointing game (the share of the map's positive mass on the
 * object) and relevance rank accuracy (the share of the top-K pixels on the object, K the object's size). Higher is
 * better for all three; compare with the object's share of the image, which a random map reaches on average.
 *
 * <p>Zhang, Bargal, Lin, Brandt, Shen &amp; Sclaroff, "Top-down Neural Attention by Excitation Backprop", IJCV
 * 2018, <a href="https://arxiv.org/abs/1608.00507">arXiv:1608.00507</a> (pointing game); Wang et al., "Score-CAM",
 * CVPR-W 2020, <a href="https://arxiv.org/abs/1910.01279">arXiv:1910.01279</a> (energy-based pointing game); Arras,
 * Osman &amp; Samek, "CLEVR-XAI: A benchmark dataset for the ground truth evaluation of neural network
 * explanations", Information Fusion 2022, <a href="https://arxiv.org/abs/2003.07258">arXiv:2003.07258</a>
 * (relevance rank accuracy).
 *
 * <pre>{@code
 * INDArray masks = Localization.boxMasks(224, 224, new int[][] {{40, 60, 180, 200}});   // y0, x0, y1, x1
 * List<MetricResult> l = Localization.evaluate(result, masks, 0);
 * }</pre>
 */
public final class Localization {
    private Localization() {
    }

    /**
     * @param result maps to score ({@code [N, H, W]})
     * @param masks object masks {@code [N, H, W]} (non-zero = object) or one {@code [H, W]} mask for all
     * @param tolerance pointing-game tolerance in pixels (a hit within this Chebyshev distance of the object counts;
     *                  0 for exact)
     * @return pointing game (1 hit, 0 miss), energy-based pointing game, relevance rank accuracy
     */
    public static List<MetricResult> evaluate(AttributionResult result, INDArray masks, int tolerance) {
        INDArray maps = result.map();
        int n = (int) maps.size(0);
        int h = (int) maps.size(1);
        int w = (int) maps.size(2);
        if (tolerance < 0) {
            throw new IllegalArgumentException("tolerance must be >= 0 pixels, got " + tolerance);
        }
        INDArray m = checkMasks(masks, n, h, w);
        double[] pointing = new double[n];
        double[] energy = new double[n];
        double[] rank = new double[n];
        for (int i = 0; i < n; i++) {
            double[] map = Maps.row(maps, i);
            double[] mask = Maps.row(m, m.size(0) == 1 ? 0 : i);
            int best = Maps.rank(map, false, false)[0];
            pointing[i] = near(mask, best / w, best % w, h, w, tolerance) ? 1 : 0;
            double inside = 0;
            double total = 0;
            int k = 0;
            for (int p = 0; p < map.length; p++) {
                double v = Math.max(0, map[p]);
                total += v;
                inside += mask[p] != 0 ? v : 0;
                k += mask[p] != 0 ? 1 : 0;
            }
            energy[i] = total > 0 ? inside / total : 0;
            int[] order = Maps.rank(map, false, false);
            int hits = 0;
            for (int j = 0; j < k; j++) {
                hits += mask[order[j]] != 0 ? 1 : 0;
            }
            rank[i] = k > 0 ? hits / (double) k : 0;
        }
        Map<String, String> opts = Map.of("tolerance", String.valueOf(tolerance));
        return List.of(new MetricResult("pointing-game", result.method(), result.target(), opts, pointing, true),
                new MetricResult("energy-pointing-game", result.method(), result.target(), Map.of(), energy, true),
                new MetricResult("relevance-rank-accuracy", result.method(), result.target(), Map.of(), rank, true));
    }

    private static boolean near(double[] mask, int y, int x, int h, int w, int tol) {
        for (int yy = Math.max(0, y - tol); yy <= Math.min(h - 1, y + tol); yy++) {
            for (int xx = Math.max(0, x - tol); xx <= Math.min(w - 1, x + tol); xx++) {
                if (mask[yy * w + xx] != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static INDArray checkMasks(INDArray masks, int n, int h, int w) {
        if (masks == null) {
            throw new IllegalArgumentException("masks is null; pass [N, H, W] or [H, W] object masks");
        }
        INDArray m = masks.rank() == 2 ? masks.reshape(1, masks.size(0), masks.size(1)) : masks;
        if (m.rank() != 3 || (m.size(0) != n && m.size(0) != 1) || m.size(1) != h || m.size(2) != w) {
            throw new IllegalArgumentException("Expected object masks [" + n + ", " + h + ", " + w + "] or [" + h
                    + ", " + w + "], got " + java.util.Arrays.toString(masks.shape()));
        }
        for (int i = 0; i < m.size(0); i++) {
            if (m.slice(i).neq(0).castTo(DataType.INT32).sumNumber().intValue() == 0) {
                throw new IllegalArgumentException("Mask " + i + " is empty: every example needs an object");
            }
        }
        return m;
    }

    /**
     * @param h image rows
     * @param w image columns
     * @param boxes per example {@code {y0, x0, y1, x1}} (end exclusive), clipped to the image
     * @return masks {@code [N, H, W]} with 1 inside each example's box
     */
    public static INDArray boxMasks(int h, int w, int[][] boxes) {
        INDArray out = Nd4j.zeros(DataType.DOUBLE, boxes.length, h, w);
        for (int i = 0; i < boxes.length; i++) {
            int[] b = boxes[i];
            if (b == null || b.length != 4 || b[0] >= b[2] || b[1] >= b[3]) {
                throw new IllegalArgumentException("Box " + i + " must be {y0, x0, y1, x1} with y0 < y1 and x0 < x1, got "
                        + java.util.Arrays.toString(b));
            }
            int y0 = Math.max(0, b[0]);
            int x0 = Math.max(0, b[1]);
            int y1 = Math.min(h, b[2]);
            int x1 = Math.min(w, b[3]);
            if (y0 >= y1 || x0 >= x1) {
                throw new IllegalArgumentException("Box " + i + " " + java.util.Arrays.toString(b) + " lies outside the "
                        + h + "x" + w + " image");
            }
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.interval(y0,
                    y1), org.nd4j.linalg.indexing.NDArrayIndex.interval(x0, x1)).assign(1);
        }
        return out;
    }
}
