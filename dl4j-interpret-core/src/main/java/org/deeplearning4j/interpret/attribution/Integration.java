package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.Quadrature;

/**
 * Numerical rules for the path integral of integrated gradients: the rules Captum offers, each with weights summing
 * to 1 (checked against plain PyTorch autograd in {@code PyTorchReferenceTest}).
 */
public enum Integration {
    /** Gauss-Legendre: exact for polynomials of degree 2n-1; the most accurate per step (Captum's default). */
    GAUSS_LEGENDRE,
    /** Left Riemann sum. */
    RIEMANN_LEFT,
    /** Right Riemann sum (the IG paper's formula). */
    RIEMANN_RIGHT,
    /** Midpoint rule. */
    RIEMANN_MIDDLE,
    /**
     * Trapezoid rule over n points including both ends: points {@code k/(n-1)}, weights {@code 1/(n-1)} with both
     * ends halved, summing to 1. This is the true trapezoid rule and <b>differs from Captum's</b>
     * {@code riemann_trapezoid}, which samples the same points but weights each by {@code 1/n} (ends halved), so its
     * weights sum to {@code (n-1)/n} and its attributions are {@code (n-1)/n} of these.
     */
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
