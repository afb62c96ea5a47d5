package org.deeplearning4j.interpret.model;

import java.util.Arrays;

/** One addressable layer or vertex of a model: its name, type and activation shape (batch dimension excluded). */
public final class LayerInfo {
    private final String name;
    private final String type;
    private final long[] outputShape;
    private final boolean output;

    LayerInfo(String name, String type, long[] outputShape, boolean output) {
        this.name = name;
        this.type = type;
        this.outputShape = outputShape == null ? null : outputShape.clone();
        this.output = output;
    }

    /** @return the layer or vertex name, as used in targets and layer lookups */
    public String name() {
        return name;
    }

    /** @return the DL4J class name of the layer or vertex, e.g. {@code ConvolutionLayer} or {@code MergeVertex} */
    public String type() {
        return type;
    }

    /** @return the activation shape without the batch dimension (for the output layer: the logits), or null if unknown */
    public long[] outputShape() {
        return outputShape == null ? null : outputShape.clone();
    }

    /** @return channels (dimension 1 of the activation), or -1 if unknown */
    public long channels() {
        return outputShape == null || outputShape.length == 0 ? -1 : outputShape[0];
    }

    /** @return true for a 4-D (convolutional) activation */
    public boolean isSpatial() {
        return outputShape != null && outputShape.length == 3;
    }

    /** @return true for the model's output layer (exposed as logits) */
    public boolean isOutput() {
        return output;
    }

    @Override
    public String toString() {
        return name + " (" + type + (outputShape == null ? "" : " " + Arrays.toString(outputShape)) + ")";
    }
}
