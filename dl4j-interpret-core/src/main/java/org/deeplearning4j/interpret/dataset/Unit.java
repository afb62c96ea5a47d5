package org.deeplearning4j.interpret.dataset;

import java.util.Objects;

/** A hidden unit to search for: a whole channel (reduced over space) or one neuron (a channel at a position). */
public final class Unit implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final String layer;
    private final int channel;
    private final int y;
    private final int x;

    private Unit(String layer, int channel, int y, int x) {
        if (layer == null) {
            throw new IllegalArgumentException("layer is null");
        }
        this.layer = layer;
        this.channel = channel;
        this.y = y;
        this.x = x;
    }

    /**
     * @param layer layer
     * @param channel channel
     * @return the channel, reduced over space
     */
    public static Unit channel(String layer, int channel) {
        return new Unit(layer, channel, -1, -1);
    }

    /**
     * @param layer layer
     * @param channel channel
     * @param y row
     * @param x column
     * @return one neuron
     */
    public static Unit neuron(String layer, int channel, int y, int x) {
        if (y < 0 || x < 0) {
            throw new IllegalArgumentException("Neuron position must be non-negative, got (" + y + ", " + x + ")");
        }
        return new Unit(layer, channel, y, x);
    }

    /** @return layer name */
    public String layer() {
        return layer;
    }

    /** @return channel index */
    public int channel() {
        return channel;
    }

    /** @return true for a neuron, false for a whole channel */
    public boolean isNeuron() {
        return y >= 0;
    }

    /** @return neuron row, or -1 for a channel */
    public int y() {
        return y;
    }

    /** @return neuron column, or -1 for a channel */
    public int x() {
        return x;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Unit)) {
            return false;
        }
        Unit u = (Unit) o;
        return u.layer.equals(layer) && u.channel == channel && u.y == y && u.x == x;
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, channel, y, x);
    }

    @Override
    public String toString() {
        return isNeuron() ? layer + ":" + channel + "@" + y + "," + x : layer + ":" + channel;
    }
}
