package org.deeplearning4j.interpret.targets;

/**
 * Factories for {@link Target}s.
 *
 * <pre>{@code
 * Targets.logit(3)                       // logit of class 3 for every example
 * Targets.logits(new int[]{3, 7})        // one class per example
 * Targets.predicted()                    // logit of each example's predicted class
 * Targets.probability(3)                 // softmax probability of class 3
 * Targets.channel("conv2", 12)           // spatial mean of channel 12
 * Targets.neuron("conv2", 12, 4, 4)      // one unit
 * }</pre>
 */
public final class Targets {
    private Targets() {
    }

    /**
     * @param cls class index, the same for every example
     * @return the pre-softmax logit of that class
     */
    public static Target logit(int cls) {
        return new ClassTarget(ClassTarget.Kind.LOGIT, new int[] {cls});
    }

    /**
     * @param perExample one class index per example
     * @return the logits of those classes
     */
    public static Target logits(int[] perExample) {
        return new ClassTarget(ClassTarget.Kind.LOGIT, perExample);
    }

    /** @return the logit of each example's predicted (arg-max) class */
    public static Target predicted() {
        return new ClassTarget(ClassTarget.Kind.LOGIT, null);
    }

    /**
     * @param cls class index
     * @return the softmax probability of that class
     */
    public static Target probability(int cls) {
        return new ClassTarget(ClassTarget.Kind.PROBABILITY, new int[] {cls});
    }

    /**
     * @param perExample one class index per example
     * @return the softmax probabilities of those classes
     */
    public static Target probabilities(int[] perExample) {
        return new ClassTarget(ClassTarget.Kind.PROBABILITY, perExample);
    }

    /** @return the softmax probability of each example's predicted class */
    public static Target predictedProbability() {
        return new ClassTarget(ClassTarget.Kind.PROBABILITY, null);
    }

    /**
     * @param layer layer name
     * @param channel channel index (or unit index for a dense layer)
     * @return the spatial mean of the channel
     */
    public static Target channel(String layer, int channel) {
        return new UnitTarget(layer, channel, -1, -1);
    }

    /**
     * @param layer layer name
     * @param channel channel index
     * @param y row in the feature map
     * @param x column in the feature map
     * @return one unit of a convolutional feature map
     */
    public static Target neuron(String layer, int channel, int y, int x) {
        if (y < 0 || x < 0) {
            throw new IllegalArgumentException("Neuron position must be non-negative, got (" + y + ", " + x + ")");
        }
        return new UnitTarget(layer, channel, y, x);
    }
}
