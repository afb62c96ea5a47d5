package org.deeplearning4j.interpret.blocks;

import java.util.Arrays;
import java.util.Random;

/**
 * Non-negative matrix factorization {@code V ~ W H} by Lee and Seung's multiplicative updates for the Frobenius norm,
 * which never increase the reconstruction error ("Algorithms for Non-negative Matrix Factorization", NIPS 2001).
 * Seeded; stops when the relative decrease of the error falls below a tolerance. Immutable result.
 */
public final class Nmf {
    /** Default iteration cap. */
    public static final int DEFAULT_MAX_ITERATIONS = 1000;
    /** Default tolerance on the relative decrease of the error between iterations. */
    public static final double DEFAULT_TOLERANCE = 1e-5;
    /** Keeps the multiplicative updates' denominators positive. */
    private static final double TINY = 1e-12;

    private final double[][] w;
    private final double[][] h;
    private final double[] errors;
    private final boolean converged;

    private Nmf(double[][] w, double[][] h, double[] errors, boolean converged) {
        this.w = w;
        this.h = h;
        this.errors = errors;
        this.converged = converged;
    }

    /**
     * @param v non-negative data, {@code [rows][cols]}
     * @param k number of factors, 1..min(rows, cols)
     * @param seed seed of the random initial factors
     * @param maxIterations iteration cap
     * @param tolerance stop when {@code (e_{t-1} - e_t) / e_0} is below this
     * @return the factorization
     * @throws IllegalArgumentException for negative or non-finite data or k out of range
     */
    public static Nmf factorize(double[][] v, int k, long seed, int maxIterations, double tolerance) {
        int n = v.length;
        int m = n == 0 ? 0 : v[0].length;
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("NMF needs a non-empty matrix");
        }
        if (k < 1 || k > Math.min(n, m)) {
            throw new IllegalArgumentException("NMF needs 1 <= k <= min(rows, cols) = " + Math.min(n, m) + ", got " + k);
        }
        double mean = 0;
        for (double[] row : v) {
            for (double x : row) {
                if (!(x >= 0) || !Double.isFinite(x)) {
                    throw new IllegalArgumentException("NMF needs non-negative finite data, found " + x
                            + "; factorize a layer after its ReLU");
                }
                mean += x;
            }
        }
        mean /= (double) n * m;
        Random rng = new Random(seed);
        double scale = Math.sqrt(Math.max(mean, TINY) / k);
        double[][] w = new double[n][k];
        double[][] h = new double[k][m];
        for (double[] r : w) {
            for (int j = 0; j < k; j++) {
                r[j] = scale * (0.5 + rng.nextDouble());
            }
        }
        for (double[] r : h) {
            for (int j = 0; j < m; j++) {
                r[j] = scale * (0.5 + rng.nextDouble());
            }
        }
        double[] errs = new double[maxIterations + 1];
        errs[0] = error(v, w, h);
        int it = 0;
        boolean done = false;
        while (it < maxIterations && !done) {
            // H <- H * (W^T V) / (W^T W H)
            double[][] wt = transpose(w);
            double[][] num = mul(wt, v);
            double[][] den = mul(mul(wt, w), h);
            for (int a = 0; a < k; a++) {
                for (int j = 0; j < m; j++) {
                    h[a][j] *= num[a][j] / (den[a][j] + TINY);
                }
            }
            // W <- W * (V H^T) / (W H H^T)
            double[][] ht = transpose(h);
            double[][] num2 = mul(v, ht);
            double[][] den2 = mul(w, mul(h, ht));
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < k; a++) {
                    w[i][a] *= num2[i][a] / (den2[i][a] + TINY);
                }
            }
            it++;
            errs[it] = error(v, w, h);
            done = errs[0] == 0 || (errs[it - 1] - errs[it]) / errs[0] < tolerance;
        }
        return new Nmf(w, h, Arrays.copyOf(errs, it + 1), done);
    }

    private static double error(double[][] v, double[][] w, double[][] h) {
        double[][] r = mul(w, h);
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v[0].length; j++) {
                double d = v[i][j] - r[i][j];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] oi = out[i];
            for (int p = 0; p < k; p++) {
                double aip = a[i][p];
                if (aip == 0) {
                    continue;
                }
                double[] bp = b[p];
                for (int j = 0; j < m; j++) {
                    oi[j] += aip * bp[j];
                }
            }
        }
        return out;
    }

    /** @return {@code W}, {@code [rows][k]} (copy) */
    public double[][] w() {
        return copy(w);
    }

    /** @return {@code H}, {@code [k][cols]} (copy) */
    public double[][] h() {
        return copy(h);
    }

    /** @return the Frobenius reconstruction error before the first update and after each one */
    public double[] errors() {
        return errors.clone();
    }

    /** @return true when the tolerance was reached before the iteration cap */
    public boolean converged() {
        return converged;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
