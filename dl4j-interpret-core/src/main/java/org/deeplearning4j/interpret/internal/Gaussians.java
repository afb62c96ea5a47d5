package org.deeplearning4j.interpret.internal;

import java.util.SplittableRandom;

/**
 * Standard normal numbers from a seeded {@link SplittableRandom} (Box-Muller), so that seeded noise depends on nothing
 * but its seed: not on ND4J's per-thread generator, nor on how work is chunked. Internal: not API.
 */
public final class Gaussians {
    private Gaussians() {
    }

    /**
     * @param rng the source
     * @return one standard normal number
     */
    public static double next(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * @param rng the source
     * @param out filled with standard normal numbers (both Box-Muller values of each pair are used)
     * @param from first index
     * @param to end index (exclusive)
     */
    public static void fill(SplittableRandom rng, double[] out, int from, int to) {
        for (int p = from; p < to; p += 2) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            out[p] = r * Math.cos(2 * Math.PI * u2);
            if (p + 1 < to) {
                out[p + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
    }
}
