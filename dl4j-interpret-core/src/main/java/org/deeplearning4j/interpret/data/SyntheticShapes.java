package org.deeplearning4j.interpret.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * A deterministic synthetic image dataset with ground truth for localisation tests and demos: one filled shape
 * (square, disk, triangle or plus) drawn at a random position, size and colour on a textured background (random base
 * colour, a random sinusoidal grating and pixel noise). The class is decided by the shape alone, and each example
 * carries the shape's pixel mask. RGB, NCHW, values in [0, 1].
 *
 * <pre>{@code
 * SyntheticShapes.Sample train = SyntheticShapes.builder().size(32).seed(1).build().generate(2000);
 * }</pre>
 */
public final class SyntheticShapes {
    /** Class names, by index. */
    public static final String[] CLASS_NAMES = {"square", "disk", "triangle", "plus"};
    /** Default image side in pixels. */
    public static final int DEFAULT_SIZE = 32;
    /** Default seed. */
    public static final long DEFAULT_SEED = 12345L;
    /** Amplitude of the background grating (kept well below the shape/background contrast). */
    private static final double TEXTURE_AMPLITUDE = 0.10;
    /** Standard deviation of the per-pixel background noise. */
    private static final double NOISE_STD = 0.03;
    /** Smallest mean absolute per-channel difference between shape and background colour. */
    private static final double MIN_CONTRAST = 0.3;

    private final int size;
    private final long seed;

    private SyntheticShapes(int size, long seed) {
        this.size = size;
        this.seed = seed;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return number of classes */
    public static int numClasses() {
        return CLASS_NAMES.length;
    }

    /**
     * @param n number of examples
     * @return images, one-hot labels, classes and masks; the same seed always gives the same sample
     */
    public Sample generate(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        float[] img = new float[n * 3 * size * size];
        float[] masks = new float[n * size * size];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = rng.nextInt(CLASS_NAMES.length);
            draw(rng, classes[i], img, masks, i);
        }
        INDArray features = Nd4j.createFromArray(img).reshape('c', n, 3, size, size);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, CLASS_NAMES.length);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, classes[i], 1.0);
        }
        return new Sample(features, labels, classes, Nd4j.createFromArray(masks).reshape('c', n, size, size));
    }

    private void draw(SplittableRandom rng, int cls, float[] img, float[] masks, int i) {
        double[] bg = new double[3];
        double[] fg = new double[3];
        for (int c = 0; c < 3; c++) {
            bg[c] = 0.2 + 0.6 * rng.nextDouble();
        }
        do {
            for (int c = 0; c < 3; c++) {
                fg[c] = rng.nextDouble();
            }
        } while ((Math.abs(fg[0] - bg[0]) + Math.abs(fg[1] - bg[1]) + Math.abs(fg[2] - bg[2])) / 3 < MIN_CONTRAST);
        double freq = 0.2 + 0.6 * rng.nextDouble();
        double angle = Math.PI * rng.nextDouble();
        double phase = 2 * Math.PI * rng.nextDouble();
        int r = size / 6 + rng.nextInt(Math.max(1, size / 4 - size / 6 + 1));
        int cy = r + rng.nextInt(size - 2 * r);
        int cx = r + rng.nextInt(size - 2 * r);
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean inside = inside(cls, y - cy, x - cx, r);
                masks[i * plane + y * size + x] = inside ? 1f : 0f;
                double tex = TEXTURE_AMPLITUDE * Math.sin(freq * (x * Math.cos(angle) + y * Math.sin(angle)) + phase);
                for (int c = 0; c < 3; c++) {
                    double v = inside ? fg[c] : bg[c] + tex + NOISE_STD * gaussian(rng);
                    img[((i * 3 + c) * size + y) * size + x] = (float) Math.max(0, Math.min(1, v));
                }
            }
        }
    }

    private static boolean inside(int cls, int dy, int dx, int r) {
        switch (cls) {
            case 0: // square
                return Math.abs(dy) <= r * 0.8 && Math.abs(dx) <= r * 0.8;
            case 1: // disk
                return dy * dy + dx * dx <= r * r;
            case 2: // upward triangle
                return dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2.0;
            default: // plus
                int arm = Math.max(1, r / 3);
                return (Math.abs(dy) <= arm && Math.abs(dx) <= r) || (Math.abs(dx) <= arm && Math.abs(dy) <= r);
        }
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Images with labels, classes and ground-truth masks. */
    public static final class Sample {
        private final INDArray features;
        private final INDArray labels;
        private final int[] classes;
        private final INDArray masks;

        Sample(INDArray features, INDArray labels, int[] classes, INDArray masks) {
            this.features = features;
            this.labels = labels;
            this.classes = classes;
            this.masks = masks;
        }

        /** @return a copy of the images {@code [N, 3, S, S]} in [0, 1] */
        public INDArray features() {
            return features.dup();
        }

        /** @return a copy of the one-hot labels {@code [N, classes]} */
        public INDArray labels() {
            return labels.dup();
        }

        /** @return a copy of the class indices */
        public int[] classes() {
            return classes.clone();
        }

        /** @return a copy of the shape masks {@code [N, S, S]} (1 inside the shape) */
        public INDArray masks() {
            return masks.dup();
        }

        /** @return the sample as a DL4J DataSet */
        public DataSet toDataSet() {
            return new DataSet(features.dup(), labels.dup());
        }

        /** @return number of examples */
        public int size() {
            return classes.length;
        }
    }

    /** Options. */
    public static final class Builder {
        private int size = DEFAULT_SIZE;
        private long seed = DEFAULT_SEED;

        private Builder() {
        }

        /**
         * @param size image side, at least 16 (default {@value #DEFAULT_SIZE})
         * @return this
         */
        public Builder size(int size) {
            this.size = size;
            return this;
        }

        /**
         * @param seed random seed (default {@value #DEFAULT_SEED})
         * @return this
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the generator */
        public SyntheticShapes build() {
            if (size < 16) {
                throw new IllegalArgumentException("size must be >= 16, got " + size);
            }
            return new SyntheticShapes(size, seed);
        }
    }
}
