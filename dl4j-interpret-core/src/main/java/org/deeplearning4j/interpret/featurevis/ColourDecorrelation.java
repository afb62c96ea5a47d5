package org.deeplearning4j.interpret.featurevis;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The last stage of every parameterization: optional colour decorrelation (three channels), then a sigmoid into
 * {@code (0, 1)}. The decorrelation matrix is the square root of ImageNet's colour covariance (the figures Lucid
 * publishes), normalised by its largest column norm, so independent parameters give natural colour statistics.
 */
final class ColourDecorrelation {
    /** Square root of ImageNet's RGB covariance, from its SVD. */
    private static final double[][] SVD_SQRT = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
    /** Values are kept this far inside (0, 1) when inverting the sigmoid. */
    private static final double EDGE = 1e-6;
    static final double[][] MATRIX = normalised();
    static final double[][] INVERSE = invert(MATRIX);

    private final boolean decorrelate;

    ColourDecorrelation(boolean decorrelate) {
        this.decorrelate = decorrelate;
    }

    boolean decorrelates() {
        return decorrelate;
    }

    private static double[][] normalised() {
        double max = 0;
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int i = 0; i < 3; i++) {
                s += SVD_SQRT[i][j] * SVD_SQRT[i][j];
            }
            max = Math.max(max, Math.sqrt(s));
        }
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                m[i][j] = SVD_SQRT[i][j] / max;
            }
        }
        return m;
    }

    private static double[][] invert(double[][] m) {
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int r0 = (j + 1) % 3;
                int r1 = (j + 2) % 3;
                int c0 = (i + 1) % 3;
                int c1 = (i + 2) % 3;
                inv[i][j] = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / det;
            }
        }
        return inv;
    }

    private boolean mixes(INDArray x) {
        return decorrelate && x.size(1) == 3;
    }

    /** @return {@code out[:, i] = sum_j m[i][j] x[:, j]} */
    private static INDArray mix(INDArray x, double[][] m) {
        INDArray out = x.ulike().assign(0);
        for (int i = 0; i < 3; i++) {
            INDArray oi = out.get(NDArrayIndex.all(), NDArrayIndex.point(i));
            for (int j = 0; j < 3; j++) {
                if (m[i][j] != 0) {
                    oi.addi(x.get(NDArrayIndex.all(), NDArrayIndex.point(j)).mul(m[i][j]));
                }
            }
        }
        return out;
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                t[i][j] = m[j][i];
            }
        }
        return t;
    }

    /**
     * @param pre unsquashed images
     * @return display images
     */
    INDArray forward(INDArray pre) {
        return Transforms.sigmoid(mixes(pre) ? mix(pre, MATRIX) : pre, true);
    }

    /**
     * @param display the display images this squash produced (the sigmoid's output, so its derivative needs no
     *                recomputation)
     * @param g gradient at the display image
     * @return the gradient at the unsquashed images
     */
    INDArray backward(INDArray display, INDArray g) {
        INDArray gz = g.mul(display).muli(display.rsub(1.0));
        return mixes(display) ? mix(gz, transpose(MATRIX)) : gz;
    }

    /**
     * @param display display images
     * @return the unsquashed images that give them
     */
    INDArray inverse(INDArray display) {
        INDArray c = Transforms.min(Transforms.max(display, EDGE, true), 1 - EDGE, false);
        INDArray logit = Transforms.log(c.div(c.rsub(1.0)), false);
        return mixes(display) ? mix(logit, INVERSE) : logit;
    }
}
