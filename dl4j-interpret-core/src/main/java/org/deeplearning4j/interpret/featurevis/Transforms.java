package org.deeplearning4j.interpret.featurevis;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Transformation-robustness transforms (Mordvintsev et al. 2015; Olah et al., "Feature Visualization", Distill 2017).
 * Each keeps the image's shape (models with dense layers need their exact input size):
 * <ul>
 * <li>{@link #pad(int)}: surrounds the image with a border of the fill value (mid-grey) and resamples the padded
 * canvas to the input size, so later shifts reveal the border instead of wrapping;</li>
 * <li>{@link #jitter(int)}: a random shift of up to {@code d} pixels in each direction;</li>
 * <li>{@link #randomScale(double...)}: zoom by a factor drawn from the list;</li>
 * <li>{@link #randomRotate(double...)}: rotate by an angle in degrees drawn from the list.</li>
 * </ul>
 * {@link #standard()} is Lucid's list: pad 12, jitter 8, scale 0.9..1.1 in steps of 0.02, rotate -10..10 degrees
 * (0 five times more often), jitter 4; {@link #standard(long)} scales its pixel amounts to smaller images.
 */
public final class Transforms {
    /** Image side the standard pixel amounts were chosen for. */
    public static final long STANDARD_SIZE = 224;
    /** Standard padding in pixels at {@link #STANDARD_SIZE}. */
    public static final int STANDARD_PAD = 12;
    /** Standard first jitter in pixels at {@link #STANDARD_SIZE}. */
    public static final int STANDARD_JITTER = 8;
    /** Standard final jitter in pixels at {@link #STANDARD_SIZE}. */
    public static final int STANDARD_FINAL_JITTER = 4;
    private static final Transform NONE = compose(List.of());

    private Transforms() {
    }

    /** @return no transformation */
    public static Transform none() {
        return NONE;
    }

    /**
     * @param pixels border width
     * @return padding with the mid-grey fill
     */
    public static Transform pad(int pixels) {
        return pad(pixels, Warp.DEFAULT_FILL);
    }

    /**
     * @param pixels border width (&gt;= 0)
     * @param fill display-space value of the border, in [0, 1]
     * @return padding, resampled to the input size
     */
    public static Transform pad(int pixels, double fill) {
        if (pixels < 0) {
            throw new IllegalArgumentException("pad needs pixels >= 0, got " + pixels);
        }
        if (!(fill >= 0 && fill <= 1)) {
            throw new IllegalArgumentException("pad fill is a display value in [0, 1], got " + fill);
        }
        return simple("pad(" + pixels + ")", (rng, h, w) -> new Warp((h + 2.0 * pixels) / h, 0, 0,
                (w + 2.0 * pixels) / w, 0, 0, fill));
    }

    /**
     * @param pixels largest shift (&gt;= 0)
     * @return a random integer shift in [-pixels, pixels] per axis
     */
    public static Transform jitter(int pixels) {
        if (pixels < 0) {
            throw new IllegalArgumentException("jitter needs pixels >= 0, got " + pixels);
        }
        return simple("jitter(" + pixels + ")", (rng, h, w) -> new Warp(1, 0, 0, 1,
                rng.nextInt(2 * pixels + 1) - pixels, rng.nextInt(2 * pixels + 1) - pixels, Warp.NO_FILL));
    }

    /**
     * @param scales zoom factors (&gt; 0), one drawn uniformly per step
     * @return random scaling
     */
    public static Transform randomScale(double... scales) {
        if (scales.length == 0 || Arrays.stream(scales).anyMatch(s -> !(s > 0) || !Double.isFinite(s))) {
            throw new IllegalArgumentException("randomScale needs positive finite factors, got "
                    + Arrays.toString(scales));
        }
        double[] s = scales.clone();
        return simple("scale" + range(s), (rng, h, w) -> {
            double f = 1.0 / s[rng.nextInt(s.length)];
            return new Warp(f, 0, 0, f, 0, 0, Warp.NO_FILL);
        });
    }

    /**
     * @param degrees angles, one drawn uniformly per step
     * @return random rotation about the centre
     */
    public static Transform randomRotate(double... degrees) {
        if (degrees.length == 0 || Arrays.stream(degrees).anyMatch(d -> !Double.isFinite(d))) {
            throw new IllegalArgumentException("randomRotate needs finite angles, got " + Arrays.toString(degrees));
        }
        double[] d = degrees.clone();
        return simple("rotate" + range(d), (rng, h, w) -> {
            double a = Math.toRadians(d[rng.nextInt(d.length)]);
            // sample the source at R(-a) p: the output is the source rotated by a
            return new Warp(Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a), 0, 0, Warp.NO_FILL);
        });
    }

    /**
     * @param chain transforms in the order they apply
     * @return their composition
     */
    public static Transform compose(Transform... chain) {
        return compose(Arrays.asList(chain));
    }

    /**
     * @param chain transforms in the order they apply
     * @return their composition
     */
    public static Transform compose(List<Transform> chain) {
        List<Transform> c = List.copyOf(chain);
        String desc = c.isEmpty() ? "none" : c.stream().map(Transform::description).collect(Collectors.joining(" > "));
        return simple(desc, (rng, h, w) -> {
            Warp m = Warp.identity();
            for (Transform t : c) {
                m = m.after(t.draw(rng, h, w));
            }
            return m;
        });
    }

    /** @return Lucid's standard transforms, for images of about {@link #STANDARD_SIZE} pixels */
    public static Transform standard() {
        return standard(STANDARD_SIZE);
    }

    /**
     * @param imageSize the image side in pixels
     * @return the standard transforms with pad and jitter scaled by {@code imageSize / 224} (at least 1 pixel)
     */
    public static Transform standard(long imageSize) {
        if (imageSize < 1) {
            throw new IllegalArgumentException("imageSize must be positive, got " + imageSize);
        }
        double f = imageSize / (double) STANDARD_SIZE;
        double[] scales = new double[11];
        for (int i = 0; i < 11; i++) {
            scales[i] = 1 + (i - 5) / 50.0;
        }
        double[] angles = new double[26];
        for (int i = 0; i < 21; i++) {
            angles[i] = i - 10;
        }
        return compose(pad(Math.max(1, (int) Math.round(STANDARD_PAD * f))),
                jitter(Math.max(1, (int) Math.round(STANDARD_JITTER * f))), randomScale(scales),
                randomRotate(angles), jitter(Math.max(1, (int) Math.round(STANDARD_FINAL_JITTER * f))));
    }

    private static String range(double[] v) {
        double lo = Arrays.stream(v).min().orElse(0);
        double hi = Arrays.stream(v).max().orElse(0);
        return lo == hi ? "(" + Objective.Sum.format(lo) + ")" : "[" + Objective.Sum.format(lo) + ".."
                + Objective.Sum.format(hi) + "]";
    }

    private interface Drawer {
        Warp draw(Random rng, long h, long w);
    }

    private static Transform simple(String description, Drawer d) {
        return new Transform() {
            @Override
            public Warp draw(Random rng, long height, long width) {
                return d.draw(rng, height, width);
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
