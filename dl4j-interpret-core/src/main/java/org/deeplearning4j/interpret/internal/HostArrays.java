package org.deeplearning4j.interpret.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between ND4J arrays and Java arrays, for the pixel loops written in Java (resizing, blurring): one copy
 * each way instead of one JNI call per element ({@code putScalar} over a 224x224 map took over a millisecond).
 * Internal: not API.
 */
public final class HostArrays {
    private HostArrays() {
    }

    /**
     * @param a any array (a view too)
     * @return its elements in C order as doubles
     */
    public static double[] doubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /**
     * @param data elements in C order
     * @param type the result's data type
     * @param shape the result's shape
     * @return a new C-order array, each element rounded to {@code type} as {@code putScalar} would round it
     */
    public static INDArray of(double[] data, DataType type, long... shape) {
        if (type == DataType.DOUBLE) {
            return Nd4j.create(data, shape, DataType.DOUBLE);
        }
        if (type == DataType.FLOAT) {
            // one native array of the result's size (each fresh native page costs microseconds on a VM)
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) data[i];
            }
            return Nd4j.create(f, shape, 'c');
        }
        return Nd4j.create(data, shape, DataType.DOUBLE).castTo(type);
    }
}
