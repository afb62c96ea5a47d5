package org.deeplearning4j.interpret.blocks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the Building Blocks page shows for one image and one layer. Immutable; arrays are copied on the way out.
 * Positions are numbered row-major: {@code p = y * width + x}.
 */
public final class BuildingBlocksResult {
    private final String layer;
    private final String target;
    private final double targetValue;
    private final INDArray input;
    private final INDArray display;
    private final INDArray activation;
    private final int[][] topChannels;
    private final double[][] topValues;
    private final Map<Integer, INDArray> icons;
    private final INDArray grid;
    private final long[][] fields;
    private final INDArray wholeLayer;
    private final INDArray unitAttribution;
    private final NeuronGroupsResult groups;

    BuildingBlocksResult(String layer, String target, double targetValue, INDArray input, INDArray display,
            INDArray activation, int[][] topChannels, double[][] topValues, Map<Integer, INDArray> icons,
            INDArray grid, long[][] fields, INDArray wholeLayer, INDArray unitAttribution, NeuronGroupsResult groups) {
        this.layer = layer;
        this.target = target;
        this.targetValue = targetValue;
        this.input = input.dup();
        this.display = display.dup();
        this.activation = activation.dup();
        this.topChannels = topChannels;
        this.topValues = topValues;
        this.icons = Collections.unmodifiableMap(new LinkedHashMap<>(icons));
        this.grid = grid.dup();
        this.fields = fields;
        this.wholeLayer = wholeLayer.dup();
        this.unitAttribution = unitAttribution.dup();
        this.groups = groups;
    }

    /** @return the layer explained */
    public String layer() {
        return layer;
    }

    /** @return the attributed target's description */
    public String target() {
        return target;
    }

    /** @return the target's value on the image */
    public double targetValue() {
        return targetValue;
    }

    /** @return the image in the model's input space {@code [1, C, H, W]} */
    public INDArray input() {
        return input.dup();
    }

    /** @return the image for display {@code [C, H, W]} in [0, 1] */
    public INDArray displayImage() {
        return display.dup();
    }

    /** @return the activation vectors {@code [C, h, w]} */
    public INDArray activation() {
        return activation.dup();
    }

    /** @return layer height */
    public int height() {
        return (int) activation.size(1);
    }

    /** @return layer width */
    public int width() {
        return (int) activation.size(2);
    }

    /**
     * @param p position
     * @return its dictionary's channels, most active first
     */
    public int[] dictionaryChannels(int p) {
        return topChannels[p].clone();
    }

    /**
     * @param p position
     * @return the activations of {@link #dictionaryChannels(int)}
     */
    public double[] dictionaryValues(int p) {
        return topValues[p].clone();
    }

    /** @return feature visualization of every channel in any dictionary (display {@code [C, H, W]}) */
    public Map<Integer, INDArray> channelIcons() {
        Map<Integer, INDArray> out = new LinkedHashMap<>();
        icons.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /**
     * @param p position
     * @return the activation-grid image optimised for that position (display, full size)
     */
    public INDArray gridImage(int p) {
        return grid.get(NDArrayIndex.point(p)).dup();
    }

    /**
     * @param p position
     * @return its receptive field clipped to the image: top, left, height, width
     */
    public long[] receptiveField(int p) {
        return fields[p].clone();
    }

    /** @return the whole-layer image (display {@code [C, H, W]}) */
    public INDArray wholeLayerImage() {
        return wholeLayer.dup();
    }

    /** @return attribution per unit {@code [C, h, w]} */
    public INDArray unitAttribution() {
        return unitAttribution.dup();
    }

    /** @return attribution per position {@code [h, w]} (summed over channels) */
    public INDArray spatialAttribution() {
        return unitAttribution.sum(0);
    }

    /** @return attribution per channel {@code [C]} (summed over positions) */
    public INDArray channelAttribution() {
        return unitAttribution.sum(1, 2);
    }

    /** @return the neuron groups, or null when none were asked for */
    public NeuronGroupsResult groups() {
        return groups;
    }
}
