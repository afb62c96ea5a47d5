package org.deeplearning4j.interpret.internal;

/**
 * Integration rules on [0, 1]: points {@code alpha_k} and weights {@code w_k} with {@code sum w_k f(alpha_k)}
 * approximating {@code integral_0^1 f}. Internal: not API.
 */
public final class Quadrature {
    /** Newton iterations stop when the root moves less than this. */
    private static final double NEWTON_TOLERANCE = 1e-15;

    private Quadrature() {
    }

    /**
     * Gauss-Legendre nodes and weights, mapped from [-1, 1] to [0, 1]. Exact for polynomials of degree 2n-1.
     *
     * @param n number of points, at least 1
     * @return {points, weights}
     */
    public static double[][] gaussLegendre(int n) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            // initial guess for the i-th root (Tricomi), then Newton on P_n
            double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp;
            while (true) {
                double p0 = 1;
                double p1 = 0;
                for (int j = 1; j <= n; j++) {
                    double p2 = p1;
                    p1 = p0;
                    p0 = ((2.0 * j - 1) * z * p1 - (j - 1.0) * p2) / j;
                }
                dp = n * (z * p0 - p1) / (z * z - 1);
                double z1 = z;
                z = z1 - p0 / dp;
                if (Math.abs(z - z1) < NEWTON_TOLERANCE) {
                    break;
                }
            }
            double weight = 2 / ((1 - z * z) * dp * dp);
            x[i] = (1 - z) / 2;
            x[n - 1 - i] = (1 + z) / 2;
            w[i] = weight / 2;
            w[n - 1 - i] = weight / 2;
        }
        return new double[][] {x, w};
    }

    /**
     * @param n number of points
     * @param kind "left", "right", "middle" or "trapezoid"
     * @return {points, weights} of the Riemann rule
     */
    public static double[][] riemann(int n, String kind) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            switch (kind) {
                case "left":
                    x[k] = k / (double) n;
                    w[k] = 1.0 / n;
                    break;
                case "right":
                    x[k] = (k + 1) / (double) n;
                    w[k] = 1.0 / n;
                    break;
                case "middle":
                    x[k] = (k + 0.5) / n;
                    w[k] = 1.0 / n;
                    break;
                default: // trapezoid over n points including both ends
                    if (n == 1) {
                        x[k] = 0.5;
                        w[k] = 1.0;
                    } else {
                        x[k] = k / (double) (n - 1);
                        w[k] = (k == 0 || k == n - 1 ? 0.5 : 1.0) / (n - 1);
                    }
            }
        }
        return new double[][] {x, w};
    }
}
