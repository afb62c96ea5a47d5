package org.deeplearning4j.interpret.segmentation;

import org.deeplearning4j.interpret.internal.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An immutable segmentation of a batch of images into segments (feature groups): every pixel of example {@code i}
 * carries a label in {@code 0 .. segments(i) - 1}; every label occurs. Labels are numbered in the order in which
 * they first appear in row-major order, whatever numbers the segmenter or the user gave.
 */
public final class Segmentation {
    private final int[][] labels;
    private final int[] counts;
    private final int height;
    private final int width;
    private final String description;

    private Segmentation(int[][] labels, int height, int width, String description) {
        this.height = height;
        this.width = width;
        this.description = description;
        this.labels = new int[labels.length][];
        this.counts = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            Map<Integer, Integer> renumber = new HashMap<>();
            int[] l = new int[labels[i].length];
            for (int p = 0; p < l.length; p++) {
                l[p] = renumber.computeIfAbsent(labels[i][p], k -> renumber.size());
            }
            this.labels[i] = l;
            this.counts[i] = renumber.size();
        }
    }

    /**
     * @param labels one row-major label array of {@code height * width} per example (any integers: pixels with the
     *        same number form a segment)
     * @param height image height
     * @param width image width
     * @param description how the segmentation was made, for provenance (e.g. {@code slic(50)})
     * @return the segmentation
     */
    public static Segmentation of(int[][] labels, int height, int width, String description) {
        if (labels == null || labels.length == 0) {
            throw new IllegalArgumentException("a segmentation needs at least one example's labels");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height and width must be >= 1, got " + height + "x" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == null || labels[i].length != height * width) {
                throw new IllegalArgumentException("example " + i + " has " + (labels[i] == null ? "no" : String
                        .valueOf(labels[i].length)) + " labels; expected height x width = " + height * width);
            }
        }
        return new Segmentation(labels, height, width, description == null ? "segmentation" : description);
    }

    /**
     * @param labels integer-valued labels, {@code [H, W]} (one segmentation for every example) or {@code [N, H, W]}
     * @return the segmentation ({@code "user mask"})
     */
    public static Segmentation of(INDArray labels) {
        if (labels == null || (labels.rank() != 2 && labels.rank() != 3)) {
            throw new IllegalArgumentException("segment labels must be [H, W] or [N, H, W], got "
                    + (labels == null ? "null" : Arrays.toString(labels.shape())));
        }
        INDArray l = labels.rank() == 2 ? labels.reshape(1, labels.size(0), labels.size(1)) : labels;
        int n = (int) l.size(0);
        int h = (int) l.size(1);
        int w = (int) l.size(2);
        double[] v = HostArrays.doubles(l);
        int[][] out = new int[n][h * w];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < h * w; p++) {
                double d = v[i * h * w + p];
                if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("segment labels must be integers; example " + i + " pixel ("
                            + p / w + ", " + p % w + ") is " + d);
                }
                out[i][p] = (int) d;
            }
        }
        return new Segmentation(out, h, w, "user mask");
    }

    /** @return the number of examples */
    public int size() {
        return labels.length;
    }

    /** @return image height */
    public int height() {
        return height;
    }

    /** @return image width */
    public int width() {
        return width;
    }

    /** @return how the segmentation was made */
    public String description() {
        return description;
    }

    /**
     * @param example example index
     * @return the number of segments of that example
     */
    public int segments(int example) {
        return counts[check(example)];
    }

    /**
     * @param example example index
     * @return its labels, row-major, a copy
     */
    public int[] labels(int example) {
        return labels[check(example)].clone();
    }

    /**
     * @param example example index
     * @param segment segment
     * @return how many pixels the segment has
     */
    public int pixels(int example, int segment) {
        int c = 0;
        for (int l : labels[check(example)]) {
            c += l == segment ? 1 : 0;
        }
        return c;
    }

    /** @return all labels as {@code [N, H, W]} INT32 */
    public INDArray labels() {
        int[] flat = new int[labels.length * height * width];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(labels[i], 0, flat, i * height * width, height * width);
        }
        return Nd4j.createFromArray(flat).reshape(labels.length, height, width);
    }

    /**
     * The segmentation of one example of the batch that the same segmentation is shared by ({@link #size()} 1), or
     * the example's own.
     *
     * @param example example index in the batch
     * @return the labels of that example
     */
    public int[] labelsFor(int example) {
        return labels.length == 1 ? labels[0].clone() : labels(example);
    }

    /**
     * @param example example index in the batch
     * @return its number of segments (shared or its own)
     */
    public int segmentsFor(int example) {
        return labels.length == 1 ? counts[0] : segments(example);
    }

    /**
     * Checks that this segmentation fits a batch: one shared or one per example, of the batch's image size.
     *
     * @param n batch size
     * @param h image height
     * @param w image width
     * @throws IllegalArgumentException naming what does not fit
     */
    public void checkFits(long n, long h, long w) {
        if (h != height || w != width) {
            throw new IllegalArgumentException("the segmentation is " + height + "x" + width + " but the images are "
                    + h + "x" + w + "; segment images of the size the model takes");
        }
        if (labels.length != 1 && labels.length != n) {
            throw new IllegalArgumentException("the segmentation has " + labels.length + " examples but the batch has "
                    + n + "; give one segmentation per image, or one [H, W] mask for all");
        }
    }

    private int check(int example) {
        if (example < 0 || example >= labels.length) {
            throw new IndexOutOfBoundsException("example " + example + " of a segmentation of " + labels.length);
        }
        return example;
    }

    @Override
    public String toString() {
        return "Segmentation[" + description + ", " + labels.length + " x " + height + "x" + width + ", segments "
                + Arrays.toString(counts) + "]";
    }
}
