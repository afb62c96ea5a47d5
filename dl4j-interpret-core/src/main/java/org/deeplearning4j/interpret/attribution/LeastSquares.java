package org.deeplearning4j.interpret.attribution;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Accumulates the normal equations of a weighted linear regression with an intercept, row by row (memory: one
 * {@code d x d} matrix, whatever the number of rows), and solves them with EJML's SVD pseudo-inverse, optionally
 * with a ridge penalty on the coefficients (never on the intercept), as scikit-learn's {@code Ridge} does.
 */
final class LeastSquares {
    private final int d;
    private final boolean intercept;
    private final double[] xx;
    private final double[] xy;
    private final double[] sx;
    private double sw;
    private double sy;

    /**
     * @param d number of coefficients
     * @param intercept whether to fit an intercept
     */
    LeastSquares(int d, boolean intercept) {
        this.d = d;
        this.intercept = intercept;
        this.xx = new double[d * d];
        this.xy = new double[d];
        this.sx = new double[d];
    }

    /** Adds one observation {@code y ~ x} with weight {@code w}. */
    void add(double[] x, double y, double w) {
        for (int i = 0; i < d; i++) {
            double wi = w * x[i];
            if (wi == 0) {
                continue;
            }
            for (int j = 0; j < d; j++) {
                xx[i * d + j] += wi * x[j];
            }
            xy[i] += wi * y;
            sx[i] += wi;
        }
        sw += w;
        sy += w * y;
    }

    /**
     * @param ridge penalty on the coefficients (0: ordinary weighted least squares)
     * @return the coefficients (the minimum-norm solution when the observations do not determine them)
     */
    double[] solve(double ridge) {
        DMatrixRMaj a = new DMatrixRMaj(d, d);
        DMatrixRMaj b = new DMatrixRMaj(d, 1);
        boolean centre = intercept && sw > 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                a.set(i, j, xx[i * d + j] - (centre ? sx[i] * sx[j] / sw : 0));
            }
            a.add(i, i, ridge);
            b.set(i, 0, xy[i] - (centre ? sx[i] * sy / sw : 0));
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.pseudoInverse(true);
        if (!solver.setA(a)) {
            throw new IllegalStateException("the least-squares system of " + d + " coefficients could not be solved");
        }
        DMatrixRMaj out = new DMatrixRMaj(d, 1);
        solver.solve(b, out);
        return out.getData().clone();
    }

    /**
     * @param coefficients solved coefficients
     * @return the intercept that goes with them (0 without intercept)
     */
    double intercept(double[] coefficients) {
        if (!intercept || sw == 0) {
            return 0;
        }
        double c = sy;
        for (int i = 0; i < d; i++) {
            c -= coefficients[i] * sx[i];
        }
        return c / sw;
    }
}
