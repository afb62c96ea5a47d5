package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.internal.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Checks and orderings of per-pixel maps shared by the metrics. */
final class Maps {
    private Maps() {
    }

    /** @throws IllegalArgumentException unless {@code maps} is a finite {@code [n, h, w]} array */
    static void check(INDArray maps, long n, long h, long w) {
        if (maps == null) {
            throw new IllegalArgumentException("maps is null; pass the [N, H, W] maps of an AttributionResult");
        }
        if (maps.rank() != 3 || maps.size(0) != n || maps.size(1) != h || maps.size(2) != w) {
            throw new IllegalArgumentException("Expected maps of shape [" + n + ", " + h + ", " + w + "] for this "
                    + "input, got " + Arrays.toString(maps.shape()) + "; pass one [H, W] map per example");
        }
        if (maps.isNaN().any() || maps.isInfinite().any()) {
            throw new IllegalArgumentException("The maps contain NaN or infinite values; a metric cannot rank them");
        }
    }

    /**
     * @param map one map, row-major
     * @param absolute rank by magnitude
     * @param ascending lowest first instead of highest first
     * @return pixel indices in order; ties by index
     */
    static int[] rank(double[] map, boolean absolute, boolean ascending) {
        Integer[] idx = new Integer[map.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        double[] key = new double[map.length];
        for (int i = 0; i < map.length; i++) {
            double v = absolute ? Math.abs(map[i]) : map[i];
            key[i] = ascending ? v : -v;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Double.compare(key[a], key[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /** @return one example's map as a row-major double array */
    static double[] row(INDArray maps, int i) {
        return HostArrays.doubles(maps.slice(i));
    }
}
