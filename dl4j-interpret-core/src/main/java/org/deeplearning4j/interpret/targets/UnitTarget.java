package org.deeplearning4j.interpret.targets;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/** A hidden unit: the spatial mean of one channel, or one neuron. See {@link Targets}. */
final class UnitTarget implements Target {
    private final String layer;
    private final int channel;
    /** -1 for a channel (spatial mean); else the neuron's row. */
    private final int y;
    private final int x;

    UnitTarget(String layer, int channel, int y, int x) {
        if (layer == null) {
            throw new IllegalArgumentException("A channel or neuron target needs a layer name");
        }
        this.layer = layer;
        this.channel = channel;
        this.y = y;
        this.x = x;
    }

    @Override
    public String layer() {
        return layer;
    }

    private boolean isNeuron() {
        return y >= 0;
    }

    @Override
    public INDArray value(INDArray act) {
        INDArray ch = act.rank() == 2 ? act.getColumn(channel).reshape(act.size(0))
                : act.get(NDArrayIndex.all(), NDArrayIndex.point(channel));
        if (act.rank() == 2) {
            return ch.dup();
        }
        if (isNeuron()) {
            return ch.get(NDArrayIndex.all(), NDArrayIndex.point(y), NDArrayIndex.point(x)).dup()
                    .reshape(act.size(0));
        }
        return ch.reshape(act.size(0), -1).mean(1);
    }

    @Override
    public INDArray gradient(INDArray act) {
        INDArray g = Nd4j.zeros(act.dataType(), act.shape());
        if (act.rank() == 2) {
            g.getColumn(channel).assign(1.0);
        } else if (isNeuron()) {
            g.get(NDArrayIndex.all(), NDArrayIndex.point(channel), NDArrayIndex.point(y), NDArrayIndex.point(x))
                    .assign(1.0);
        } else {
            g.get(NDArrayIndex.all(), NDArrayIndex.point(channel)).assign(1.0 / (act.size(2) * act.size(3)));
        }
        return g;
    }

    @Override
    public boolean gradientDependsOnActivation() {
        return false;
    }

    @Override
    public void validate(String layerName, long[] shape) {
        if (shape.length != 2 && shape.length != 4) {
            throw new IllegalArgumentException("Layer '" + layerName + "' gives shape " + Arrays.toString(shape)
                    + "; channel and neuron targets need [N, C] or [N, C, H, W]");
        }
        if (channel < 0 || channel >= shape[1]) {
            throw new IllegalArgumentException("Channel " + channel + " is out of range: layer '" + layerName
                    + "' has " + shape[1] + " channels (valid 0.." + (shape[1] - 1) + ")");
        }
        if (isNeuron() && shape.length == 4 && (y >= shape[2] || x >= shape[3])) {
            throw new IllegalArgumentException("Neuron position (" + y + ", " + x + ") is outside layer '"
                    + layerName + "' of spatial size " + shape[2] + "x" + shape[3]);
        }
    }

    @Override
    public String description() {
        return isNeuron() ? "neuron[" + layer + ", c" + channel + ", y" + y + ", x" + x + "]"
                : "channel[" + layer + ", c" + channel + "]";
    }

    @Override
    public String toString() {
        return description();
    }
}
