package org.deeplearning4j.interpret.featurevis;

import java.util.Random;

/**
 * A random geometric transformation applied to the image before each optimisation step, so that the result must
 * work under small shifts, scalings and rotations (transformation robustness). Every transform keeps the image's
 * shape: it is a random affine resampling map, and a chain of transforms is composed into one map sampled once
 * (bilinear), whose exact adjoint carries the gradient back. Built by {@link Transforms}; immutable.
 */
public interface Transform {

    /**
     * Draws one random instance.
     *
     * @param rng the source of randomness (seeded by the optimiser)
     * @param height image height
     * @param width image width
     * @return the map from output pixels to source pixels
     */
    Warp draw(Random rng, long height, long width);

    /** @return a short description, e.g. {@code jitter(8)} */
    String description();
}
