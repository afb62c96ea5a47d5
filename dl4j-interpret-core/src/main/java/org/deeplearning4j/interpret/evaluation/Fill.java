package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.internal.Blur;
import org.deeplearning4j.interpret.model.InputSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What replaces a removed pixel in deletion/insertion curves: the model's neutral value, a constant, a blurred copy
 * of the image (RISE's insertion canvas), or noisy linear imputation from the pixels that remain (ROAD, which avoids
 * the "removed pixels look like nothing the model has seen" artefact of constant fills).
 *
 * <p>Noisy linear imputation (Rong et al., "A Consistent and Efficient Evaluation Strategy for Attribution
 * Methods", ICML 2022, <a href="https://arxiv.org/abs/2202.00449">arXiv:2202.00449</a>): every removed pixel equals
 * the weighted mean of its eight neighbours (weights 1/6 for the four direct, 1/12 for the diagonal ones), solved per
 * channel by conjugate gradients; then Gaussian noise is added to the imputed pixels. A tiny pull ({@value
 * #ANCHOR}) toward the neutral value keeps the system solvable when a whole region (or the whole image) is removed.
 */
public final class Fill {
    /** RISE's blur for the insertion canvas (kernel 11, sigma 5 on 224-pixel images). */
    public static final double DEFAULT_BLUR_SIGMA = 5.0;
    /** ROAD's noise: standard deviation as a fraction of the input's pixel range. */
    public static final double DEFAULT_IMPUTATION_NOISE = 0.01;
    /** Weight of the pull toward the neutral value in the imputation system. */
    static final double ANCHOR = 1e-3;
    private static final int MAX_CG_ITERATIONS = 2000;
    private static final double CG_TOLERANCE = 1e-8;

    enum Kind { NEUTRAL, VALUE, BLUR, NOISY_LINEAR }

    /** The eight neighbours' offsets and ROAD's weights: 1/6 for the direct, 1/12 for the diagonal ones. */
    private static final int[] DY = {-1, -1, -1, 0, 0, 1, 1, 1};
    private static final int[] DX = {-1, 0, 1, -1, 1, -1, 0, 1};
    private static final double[] WEIGHT = {1.0 / 12, 1.0 / 6, 1.0 / 12, 1.0 / 6, 1.0 / 6, 1.0 / 12, 1.0 / 6, 1.0 / 12};

    private final Kind kind;
    private final double parameter;

    private Fill(Kind kind, double parameter) {
        this.kind = kind;
        this.parameter = parameter;
    }

    /** @return the model's neutral value per channel ({@link InputSpec#greyValue(int)}) */
    public static Fill neutral() {
        return new Fill(Kind.NEUTRAL, 0);
    }

    /**
     * @param v a constant in the model's input space
     * @return a constant fill
     */
    public static Fill value(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("Fill value must be finite, got " + v);
        }
        return new Fill(Kind.VALUE, v);
    }

    /**
     * @param sigma Gaussian standard deviation in pixels (&gt; 0)
     * @return a blurred copy of the image
     */
    public static Fill blur(double sigma) {
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("Blur sigma must be > 0 pixels, got " + sigma);
        }
        return new Fill(Kind.BLUR, sigma);
    }

    /**
     * @param noise standard deviation of the added noise as a fraction of the pixel range (&gt;= 0; ROAD uses
     *              {@value #DEFAULT_IMPUTATION_NOISE})
     * @return ROAD's noisy linear imputation
     */
    public static Fill noisyLinearImputation(double noise) {
        if (!(noise >= 0) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("Imputation noise must be >= 0, got " + noise);
        }
        return new Fill(Kind.NOISY_LINEAR, noise);
    }

    /** @return true when the fill depends on which pixels are removed (imputation) */
    boolean dependsOnMask() {
        return kind == Kind.NOISY_LINEAR;
    }

    /**
     * The fully filled image, for fills that do not depend on the mask.
     *
     * @param img one image, {@code C*H*W} values in the model's input space
     */
    double[] canvas(double[] img, int c, int h, int w, InputSpec spec) {
        double[] out = new double[img.length];
        switch (kind) {
            case NEUTRAL:
                for (int ch = 0; ch < c; ch++) {
                    java.util.Arrays.fill(out, ch * h * w, (ch + 1) * h * w, spec.greyValue(ch));
                }
                return out;
            case VALUE:
                java.util.Arrays.fill(out, parameter);
                return out;
            case BLUR:
                return Blur.gaussian(Nd4j.create(img, new long[] {1, c, h, w}, DataType.DOUBLE), parameter).data()
                        .asDouble();
            default:
                throw new IllegalStateException(kind + " depends on the mask");
        }
    }

    /**
     * Noisy linear imputation of the removed pixels (the others are kept).
     *
     * @param img one image, {@code C*H*W}
     * @param removed {@code H*W} flags
     * @param rng noise source
     * @return the imputed image
     */
    double[] impute(double[] img, boolean[] removed, int c, int h, int w, InputSpec spec, SplittableRandom rng) {
        double[] out = img.clone();
        int n = h * w;
        int[] unknown = new int[n];
        int[] slot = new int[n];
        int u = 0;
        for (int p = 0; p < n; p++) {
            slot[p] = removed[p] ? u : -1;
            if (removed[p]) {
                unknown[u++] = p;
            }
        }
        if (u == 0) {
            return out;
        }
        double sd = parameter * (spec.pixelMax() - spec.pixelMin());
        for (int ch = 0; ch < c; ch++) {
            int off = ch * n;
            double neutral = spec.greyValue(ch);
            // A x = b on the unknowns: (deg_i + ANCHOR) x_i - sum_{j unknown} w_ij x_j
            //                         = sum_{j known} w_ij img_j + ANCHOR * neutral
            double[] b = new double[u];
            double[] diag = new double[u];
            for (int k = 0; k < u; k++) {
                int p = unknown[k];
                int y = p / w;
                int x = p % w;
                double deg = ANCHOR;
                double rhs = ANCHOR * neutral;
                for (int q = 0; q < DY.length; q++) {
                    int yy = y + DY[q];
                    int xx = x + DX[q];
                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                        deg += WEIGHT[q];
                        rhs += slot[yy * w + xx] < 0 ? WEIGHT[q] * img[off + yy * w + xx] : 0;
                    }
                }
                diag[k] = deg;
                b[k] = rhs;
            }
            double[] sol = conjugateGradient(b, diag, unknown, slot, h, w, neutral);
            for (int k = 0; k < u; k++) {
                out[off + unknown[k]] = sol[k] + (sd > 0 ? sd * gaussian(rng) : 0);
            }
        }
        return out;
    }

    private static double[] conjugateGradient(double[] b, double[] diag, int[] unknown, int[] slot, int h, int w,
            double start) {
        int u = b.length;
        double[] x = new double[u];
        java.util.Arrays.fill(x, start);
        double[] r = b.clone();
        double[] ax = apply(x, diag, unknown, slot, h, w);
        for (int k = 0; k < u; k++) {
            r[k] -= ax[k];
        }
        double[] z = new double[u];
        for (int k = 0; k < u; k++) {
            z[k] = r[k] / diag[k]; // Jacobi preconditioner
        }
        double[] p = z.clone();
        double rz = dot(r, z);
        double bNorm = Math.sqrt(dot(b, b)) + 1e-300;
        for (int it = 0; it < MAX_CG_ITERATIONS && Math.sqrt(dot(r, r)) > CG_TOLERANCE * bNorm; it++) {
            double[] ap = apply(p, diag, unknown, slot, h, w);
            double alpha = rz / dot(p, ap);
            for (int k = 0; k < u; k++) {
                x[k] += alpha * p[k];
                r[k] -= alpha * ap[k];
                z[k] = r[k] / diag[k];
            }
            double rzNew = dot(r, z);
            double beta = rzNew / rz;
            rz = rzNew;
            for (int k = 0; k < u; k++) {
                p[k] = z[k] + beta * p[k];
            }
        }
        return x;
    }

    private static double[] apply(double[] v, double[] diag, int[] unknown, int[] slot, int h, int w) {
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            int p = unknown[k];
            int y = p / w;
            int x = p % w;
            double s = diag[k] * v[k];
            for (int q = 0; q < DY.length; q++) {
                int yy = y + DY[q];
                int xx = x + DX[q];
                int j = yy >= 0 && yy < h && xx >= 0 && xx < w ? slot[yy * w + xx] : -1;
                s -= j >= 0 ? WEIGHT[q] * v[j] : 0;
            }
            out[k] = s;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double gaussian(SplittableRandom rng) {
        return org.deeplearning4j.interpret.internal.Gaussians.next(rng);
    }

    /** @return a short description, e.g. {@code blur(sigma=5.0)} */
    public String description() {
        switch (kind) {
            case NEUTRAL: return "neutral";
            case VALUE: return "value(" + parameter + ")";
            case BLUR: return String.format(Locale.ROOT, "blur(sigma=%s)", parameter);
            default: return String.format(Locale.ROOT, "noisy linear imputation(noise=%s)", parameter);
        }
    }

    @Override
    public String toString() {
        return description();
    }
}
