package org.deeplearning4j.interpret.evaluation;

import java.util.Arrays;

/**
 * How alike two maps are, the measures of the sanity checks: Spearman rank correlation (of signed or absolute maps),
 * the structural similarity index (SSIM) and the Pearson correlation of histograms of oriented gradients (HOG).
 * Maps are {@code H*W} row-major arrays. A constant map has no ranking: its correlations are 0.
 *
 * <p>Adebayo, Gilmer, Muelly, Goodfellow, Hardt &amp; Kim, "Sanity Checks for Saliency Maps", NeurIPS 2018,
 * <a href="https://arxiv.org/abs/1810.03292">arXiv:1810.03292</a>; Wang, Bovik, Sheikh &amp; Simoncelli, "Image
 * Quality Assessment: From Error Visibility to Structural Similarity", IEEE TIP 2004; Dalal &amp; Triggs, "Histograms
 * of Oriented Gradients for Human Detection", CVPR 2005.
 */
public final class Similarity {
    /** SSIM window side (uniform window, as scikit-image's default). */
    public static final int SSIM_WINDOW = 7;
    /** HOG orientation bins over 0..180 degrees. */
    public static final int HOG_BINS = 9;

    private Similarity() {
    }

    /**
     * @param a values
     * @param b values, same length
     * @return Pearson correlation (0 if either is constant)
     */
    public static double pearson(double[] a, double[] b) {
        checkLengths(a, b);
        double ma = mean(a);
        double mb = mean(b);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa <= 0 || sbb <= 0 ? 0.0 : sab / Math.sqrt(saa * sbb);
    }

    /**
     * @param a values
     * @param b values
     * @return Spearman rank correlation (average ranks for ties)
     */
    public static double spearman(double[] a, double[] b) {
        checkLengths(a, b);
        return pearson(ranks(a), ranks(b));
    }

    /**
     * @param v values
     * @return their ranks, 1-based, ties get the average rank
     */
    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < idx.length;) {
            int j = i;
            while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /**
     * @param v map values
     * @return {@code |v|} scaled to [0, 1] by its maximum (all zeros stay zeros), as the sanity checks normalise maps
     */
    public static double[] normalizedAbs(double[] v) {
        double max = 0;
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
            max = Math.max(max, out[i]);
        }
        if (max > 0) {
            for (int i = 0; i < v.length; i++) {
                out[i] /= max;
            }
        }
        return out;
    }

    /**
     * Mean SSIM over all full windows ({@value #SSIM_WINDOW} pixels, or the map's smaller side if odd-rounded
     * smaller), data range 1, K1 = 0.01, K2 = 0.03. Pass maps in [0, 1], e.g. {@link #normalizedAbs(double[])}.
     *
     * @param a map {@code h*w}
     * @param b map {@code h*w}
     * @param h rows
     * @param w columns
     * @return SSIM in [-1, 1]
     */
    public static double ssim(double[] a, double[] b, int h, int w) {
        checkLengths(a, b);
        if (a.length != h * w) {
            throw new IllegalArgumentException("Expected " + h + "x" + w + " = " + h * w + " values, got " + a.length);
        }
        int win = Math.min(SSIM_WINDOW, Math.min(h, w));
        if (win % 2 == 0) {
            win--;
        }
        double c1 = 0.01 * 0.01;
        double c2 = 0.03 * 0.03;
        double np = win * win;
        double cov = np / (np - 1); // sample covariance, as scikit-image
        double total = 0;
        int count = 0;
        for (int y = 0; y + win <= h; y++) {
            for (int x = 0; x + win <= w; x++) {
                double sa = 0;
                double sb = 0;
                double saa = 0;
                double sbb = 0;
                double sab = 0;
                for (int dy = 0; dy < win; dy++) {
                    for (int dx = 0; dx < win; dx++) {
                        double va = a[(y + dy) * w + x + dx];
                        double vb = b[(y + dy) * w + x + dx];
                        sa += va;
                        sb += vb;
                        saa += va * va;
                        sbb += vb * vb;
                        sab += va * vb;
                    }
                }
                double ma = sa / np;
                double mb = sb / np;
                double va = cov * (saa / np - ma * ma);
                double vb = cov * (sbb / np - mb * mb);
                double vab = cov * (sab / np - ma * mb);
                total += (2 * ma * mb + c1) * (2 * vab + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                count++;
            }
        }
        return total / count;
    }

    /**
     * Histogram of oriented gradients: central-difference gradients, {@value #HOG_BINS} unsigned orientation bins per
     * cell (magnitude-weighted, linearly split between neighbouring bins), cells of {@code max(2, min(h, w) / 8)}
     * pixels, each 2x2-cell block L2-normalised.
     *
     * @param m map {@code h*w}
     * @param h rows
     * @param w columns
     * @return the descriptor
     */
    public static double[] hog(double[] m, int h, int w) {
        int cell = Math.max(2, Math.min(h, w) / 8);
        int cy = h / cell;
        int cx = w / cell;
        double[][][] hist = new double[cy][cx][HOG_BINS];
        for (int y = 0; y < cy * cell; y++) {
            for (int x = 0; x < cx * cell; x++) {
                double gx = m[y * w + Math.min(w - 1, x + 1)] - m[y * w + Math.max(0, x - 1)];
                double gy = m[Math.min(h - 1, y + 1) * w + x] - m[Math.max(0, y - 1) * w + x];
                double mag = Math.hypot(gx, gy);
                if (mag == 0) {
                    continue;
                }
                double angle = Math.toDegrees(Math.atan2(gy, gx));
                if (angle < 0) {
                    angle += 180;
                }
                double pos = angle / (180.0 / HOG_BINS) - 0.5;
                int lo = (int) Math.floor(pos);
                double frac = pos - lo;
                hist[y / cell][x / cell][Math.floorMod(lo, HOG_BINS)] += mag * (1 - frac);
                hist[y / cell][x / cell][Math.floorMod(lo + 1, HOG_BINS)] += mag * frac;
            }
        }
        int by = Math.max(1, cy - 1);
        int bx = Math.max(1, cx - 1);
        int bs = Math.min(2, cy);
        int bsx = Math.min(2, cx);
        double[] out = new double[by * bx * bs * bsx * HOG_BINS];
        int k = 0;
        for (int y = 0; y < by; y++) {
            for (int x = 0; x < bx; x++) {
                int from = k;
                double norm = 0;
                for (int dy = 0; dy < bs; dy++) {
                    for (int dx = 0; dx < bsx; dx++) {
                        for (int o = 0; o < HOG_BINS; o++) {
                            double v = hist[y + dy][x + dx][o];
                            out[k++] = v;
                            norm += v * v;
                        }
                    }
                }
                norm = Math.sqrt(norm + 1e-12);
                for (int i = from; i < k; i++) {
                    out[i] /= norm;
                }
            }
        }
        return out;
    }

    /**
     * @param a map {@code h*w}
     * @param b map {@code h*w}
     * @param h rows
     * @param w columns
     * @return Pearson correlation of the maps' HOG descriptors
     */
    public static double hogSimilarity(double[] a, double[] b, int h, int w) {
        checkLengths(a, b);
        return pearson(hog(a, h, w), hog(b, h, w));
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static void checkLengths(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("Maps must be non-empty and of equal size, got " + a.length + " and "
                    + b.length);
        }
    }
}
