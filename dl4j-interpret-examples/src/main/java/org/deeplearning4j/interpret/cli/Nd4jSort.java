package org.deeplearning4j.interpret.cli;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Comparator;

/** Index sorting for the top-k classes. */
final class Nd4jSort {
    private Nd4jSort() {
    }

    /**
     * @param v a vector
     * @return indices ordered by decreasing value
     */
    static INDArray argsortDescending(INDArray v) {
        double[] d = v.toDoubleVector();
        Integer[] idx = new Integer[d.length];
        for (int i = 0; i < d.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -d[i]));
        return Nd4j.createFromArray(Arrays.stream(idx).mapToInt(Integer::intValue).toArray());
    }
}
