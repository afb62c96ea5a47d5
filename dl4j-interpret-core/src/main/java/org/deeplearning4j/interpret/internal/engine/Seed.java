package org.deeplearning4j.interpret.internal.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a backward pass starts (engine SPI): {@code d objective / d activation(layer) = scale * activation + offset}.
 * A constant seed has scale 0; an affine one (an objective such as DeepDream's {@code sum(a^2) / 2}) is completed
 * inside the same pass, where the engine supports it ({@link GradientEngine#affineSeeds()}).
 *
 * @param layer the layer whose activation the objective reads
 * @param offset the constant part, shaped like the layer's activation
 * @param scale the factor of the activation (0 for a constant seed)
 */
public record Seed(String layer, INDArray offset, double scale) {

    /**
     * @param layer the layer
     * @param seed {@code d objective / d activation(layer)}
     * @return a constant seed
     */
    public static Seed constant(String layer, INDArray seed) {
        return new Seed(layer, seed, 0);
    }

    /** @return true when the seed depends on the activation */
    public boolean affine() {
        return scale != 0;
    }
}
