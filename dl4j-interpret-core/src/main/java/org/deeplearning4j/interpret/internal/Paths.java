package org.deeplearning4j.interpret.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Batched straight-line paths for path-integral methods, each as one matrix product instead of a loop of small ops.
 * Internal: not API.
 */
public final class Paths {
    private Paths() {
    }

    /**
     * @param start path start, any shape {@code S}
     * @param diff end minus start, shape {@code S}
     * @param alphas positions along the path
     * @return {@code start + alpha_k * diff} for every k, shape {@code [alphas.length, S...]}
     */
    public static INDArray points(INDArray start, INDArray diff, double[] alphas) {
        long d = start.length();
        INDArray a = Nd4j.createFromArray(alphas).castTo(start.dataType()).reshape(alphas.length, 1);
        INDArray out = a.mmul(diff.reshape(1, d)).addiRowVector(start.reshape(1, d));
        return out.reshape(prepend(alphas.length, start.shape()));
    }

    /**
     * @param values stacked values, shape {@code [m, S...]}
     * @param weights one weight per row
     * @return {@code sum_k weights[k] * values[k]}, shape {@code S}
     */
    public static INDArray weightedSum(INDArray values, double[] weights) {
        long m = values.size(0);
        long d = values.length() / m;
        INDArray w = Nd4j.createFromArray(weights).castTo(values.dataType()).reshape(1, m);
        return w.mmul(values.reshape(m, d)).reshape(Arrays.copyOfRange(values.shape(), 1, values.rank()));
    }

    private static long[] prepend(long n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
