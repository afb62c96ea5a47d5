package org.deeplearning4j.interpret.internal;

import java.util.SplittableRandom;

/**
 * Derives independent seeds from a user's seed and the coordinates of a piece of work (sample index, step, order), so
 * that seeded randomness depends on nothing but those: not on the chunk size, nor on the batch an example is in.
 * Internal: not API.
 */
public final class Seeds {
    private Seeds() {
    }

    /**
     * @param seed the user's seed
     * @param parts coordinates of the piece of work
     * @return a well-mixed seed for that piece of work
     */
    public static long mix(long seed, long... parts) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = (h ^ p) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    /**
     * @param n size
     * @param rng the source
     * @return a uniformly random permutation of {@code 0 .. n - 1} (Fisher-Yates)
     */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
