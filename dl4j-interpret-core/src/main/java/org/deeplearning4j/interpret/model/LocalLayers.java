package org.deeplearning4j.interpret.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * The leading chain of local layers of a model (engine SPI for incremental methods, not a user API): the layers from
 * the input on whose output unit depends only on a window of their input (convolution, pooling) or on the same
 * position (batch norm, activation, dropout), each the only consumer of the one before it. A method that changes a
 * small region of the input (occlusion) recomputes only the region each layer's output changes in and runs the rest
 * of the network once from the last layer of the chain ({@link ModelSpi#values(INDArray,
 * org.deeplearning4j.interpret.targets.Target, String, INDArray)}).
 *
 * <p>Groups: a window layer and the position-wise layers after it run as one group. A group run on a crop of its
 * input gives, for every output unit whose window lies inside the crop (or reaches a border the crop shares with the
 * whole map), exactly the unit of the whole map: layers pad a crop as they pad the whole map when the crop starts at
 * a multiple of the stride and its size is congruent to the map's modulo the stride.
 */
public interface LocalLayers {

    /** Geometry along one spatial axis of a group's window layer. */
    final class Axis {
        /** Window extent in input units (dilation included). */
        public final int kernel;
        /** Stride. */
        public final int stride;
        /** Padding before the first input unit on the whole map: unit {@code o} reads from {@code o * stride - lead}. */
        public final int lead;
        /** Input size on the whole map. */
        public final int in;
        /** Output size on the whole map. */
        public final int out;

        /**
         * @param kernel window extent (dilation included)
         * @param stride stride
         * @param lead padding before the first input unit
         * @param in input size
         * @param out output size
         */
        public Axis(int kernel, int stride, int lead, int in, int out) {
            this.kernel = kernel;
            this.stride = stride;
            this.lead = lead;
            this.in = in;
            this.out = out;
        }
    }

    /** A window layer (or a position-wise layer at the chain's start) and the position-wise layers after it. */
    final class Group {
        /** The layer whose output this group's input is, or null for the network's input. */
        public final String inputLayer;
        /** The group's last layer: its output is the group's output. */
        public final String outputLayer;
        /** The group's layers in order, the last being {@link #outputLayer}. */
        public final List<String> layers;
        /** Rows. */
        public final Axis height;
        /** Columns. */
        public final Axis width;
        /** Multiply-adds of the group on the whole map for one example. */
        public final double flops;

        /**
         * @param inputLayer the layer feeding the group (null: the network input)
         * @param layers the group's layers in order (the last is its output)
         * @param height row geometry
         * @param width column geometry
         * @param flops multiply-adds on the whole map
         */
        public Group(String inputLayer, List<String> layers, Axis height, Axis width, double flops) {
            this.inputLayer = inputLayer;
            this.layers = List.copyOf(layers);
            this.outputLayer = layers.get(layers.size() - 1);
            this.height = height;
            this.width = width;
            this.flops = flops;
        }
    }

    /** @return the chain's groups from the input on (never empty) */
    List<Group> groups();

    /** @return multiply-adds of the whole network for one example (the chain included) */
    double totalFlops();

    /**
     * Runs one group on a batch of crops of its input.
     *
     * @param group index into {@link #groups()}
     * @param crops {@code [B, C, h, w]} crops of the group's input
     * @return the group's output on the crops
     */
    INDArray run(int group, INDArray crops);
}
