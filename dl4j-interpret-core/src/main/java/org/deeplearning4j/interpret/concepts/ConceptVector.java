package org.deeplearning4j.interpret.concepts;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * A concept activation vector: the unit normal of a linear classifier that separates a concept's activations from
 * a random set's, pointing towards the concept. The classifier is ridge regression onto +1 / -1 labels with an
 * intercept, solved in its dual form ({@code n x n}, with {@code n} the number of examples, whatever the layer's
 * size), with a penalty of {@code 1e-3} of the mean squared activation norm; deterministic.
 */
final class ConceptVector {
    private final double[] direction;
    private final double accuracy;

    private ConceptVector(double[] direction, double accuracy) {
        this.direction = direction;
        this.accuracy = accuracy;
    }

    /**
     * @param concept activations of the concept's examples, one flattened row each
     * @param random activations of the random examples
     * @return the unit CAV and the classifier's training accuracy
     */
    static ConceptVector fit(double[][] concept, double[][] random) {
        int n = concept.length + random.length;
        int d = concept[0].length;
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < concept.length ? concept[i] : random[i - concept.length];
            y[i] = i < concept.length ? 1 : -1;
        }
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        double yMean = 0;
        for (double v : y) {
            yMean += v / n;
        }
        double[][] xc = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xc[i][j] = x[i][j] - mean[j];
            }
        }
        DMatrixRMaj k = new DMatrixRMaj(n, n);
        double trace = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int q = 0; q < d; q++) {
                    s += xc[i][q] * xc[j][q];
                }
                k.set(i, j, s);
                k.set(j, i, s);
            }
            trace += k.get(i, i);
        }
        double lambda = Math.max(1e-12, 1e-3 * trace / n);
        for (int i = 0; i < n; i++) {
            k.add(i, i, lambda);
        }
        DMatrixRMaj b = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            b.set(i, 0, y[i] - yMean);
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.pseudoInverse(true);
        if (!solver.setA(k)) {
            throw new IllegalStateException("the concept classifier's system could not be solved");
        }
        DMatrixRMaj alpha = new DMatrixRMaj(n, 1);
        solver.solve(b, alpha);
        double[] w = new double[d];
        for (int i = 0; i < n; i++) {
            double a = alpha.get(i, 0);
            for (int j = 0; j < d; j++) {
                w[j] += a * xc[i][j];
            }
        }
        double norm = 0;
        for (double v : w) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0)) {
            throw new IllegalArgumentException("the concept's and the random set's activations cannot be told apart "
                    + "(they are identical at this layer); choose another layer or other examples");
        }
        int correct = 0;
        double intercept = yMean;
        for (int i = 0; i < n; i++) {
            double s = intercept;
            for (int j = 0; j < d; j++) {
                s += w[j] * xc[i][j];
            }
            correct += (s > 0) == (y[i] > 0) ? 1 : 0;
        }
        for (int j = 0; j < d; j++) {
            w[j] /= norm;
        }
        return new ConceptVector(w, correct / (double) n);
    }

    /** @return the unit direction, a copy */
    double[] direction() {
        return direction.clone();
    }

    /** @return the fraction of the training examples the classifier puts on the right side */
    double accuracy() {
        return accuracy;
    }
}
