package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.Quadrature;

/** Numerical rules for the path integral of integrated gradients (Captum's choices). */
public enum Integration {
    /** Gauss-Legendre: exact for polynomials of degree 2n-1; the most accurate per step (Captum's default). */
    GAUSS_LEGENDRE,
    /** Left Riemann sum. */
    RIEMANN_LEFT,
    /** Right Riemann sum (the IG paper's formula). */
    RIEMANN_RIGHT,
    /** Midpoint rule. */
    RIEMANN_MIDDLE,
    /** Trapezoid rule over n points including both ends. */
    RIEMANN_TRAPEZOID;

    /**
     * @param n number of points
     * @return {points in [0, 1], weights summing to 1}
     */
    public double[][] rule(int n) {
        switch (this) {
            case GAUSS_LEGENDRE:
                return Quadrature.gaussLegendre(n);
            case RIEMANN_LEFT:
                return Quadrature.riemann(n, "left");
            case RIEMANN_RIGHT:
                return Quadrature.riemann(n, "right");
            case RIEMANN_MIDDLE:
                return Quadrature.riemann(n, "middle");
            default:
                return Quadrature.riemann(n, "trapezoid");
        }
    }
}
