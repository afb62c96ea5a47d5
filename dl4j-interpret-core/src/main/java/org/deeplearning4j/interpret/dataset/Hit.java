package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.model.ReceptiveField;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One dataset example found for a unit: its index in the stream, the unit's value, where in the feature map the
 * value was taken, and the crop of the input the unit sees there (its receptive field, clipped to the image).
 */
public final class Hit {
    private final long index;
    private final double value;
    private final int y;
    private final int x;
    private final ReceptiveField field;
    private final INDArray crop;

    Hit(long index, double value, int y, int x, ReceptiveField field, INDArray crop) {
        this.index = index;
        this.value = value;
        this.y = y;
        this.x = x;
        this.field = field;
        this.crop = crop;
    }

    /** @return the example's position in the stream (0-based, counting every example seen) */
    public long index() {
        return index;
    }

    /** @return the unit's value on this example */
    public double value() {
        return value;
    }

    /** @return feature-map row of the value (the neuron's row, or the channel's arg-max row) */
    public int y() {
        return y;
    }

    /** @return feature-map column of the value */
    public int x() {
        return x;
    }

    /** @return the input region of the crop (clipped to the image) */
    public ReceptiveField field() {
        return field;
    }

    /** @return a copy of the crop {@code [C, h, w]} in the model's input space */
    public INDArray crop() {
        return crop.dup();
    }

    INDArray cropRef() {
        return crop;
    }

    @Override
    public String toString() {
        return "Hit[#" + index + ", " + value + " at (" + y + ", " + x + ")]";
    }
}
