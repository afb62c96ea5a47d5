package org.deeplearning4j.interpret.model;

/**
 * The input region a unit of a hidden layer can see: rows {@code top .. top + height - 1} and columns
 * {@code left .. left + width - 1} of the input, computed from the architecture (kernel sizes, strides, padding,
 * dilation, through every branch). The unclipped region may extend past the image border into the padding; use
 * {@link #clip(long, long)} for the part inside the image.
 */
public final class ReceptiveField {
    private final long top;
    private final long left;
    private final long height;
    private final long width;

    /**
     * @param top first row
     * @param left first column
     * @param height rows
     * @param width columns
     */
    public ReceptiveField(long top, long left, long height, long width) {
        this.top = top;
        this.left = left;
        this.height = height;
        this.width = width;
    }

    /** @return first row (may be negative: padding) */
    public long top() {
        return top;
    }

    /** @return first column (may be negative: padding) */
    public long left() {
        return left;
    }

    /** @return number of rows */
    public long height() {
        return height;
    }

    /** @return number of columns */
    public long width() {
        return width;
    }

    /**
     * @param imageHeight input height
     * @param imageWidth input width
     * @return the part of the field inside the image
     */
    public ReceptiveField clip(long imageHeight, long imageWidth) {
        long t = Math.max(0, top);
        long l = Math.max(0, left);
        long b = Math.min(imageHeight, top + height);
        long r = Math.min(imageWidth, left + width);
        return new ReceptiveField(t, l, Math.max(0, b - t), Math.max(0, r - l));
    }

    /**
     * @param y row
     * @param x column
     * @return true if the input pixel is inside the field
     */
    public boolean contains(long y, long x) {
        return y >= top && y < top + height && x >= left && x < left + width;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReceptiveField)) {
            return false;
        }
        ReceptiveField f = (ReceptiveField) o;
        return f.top == top && f.left == left && f.height == height && f.width == width;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(top, left, height, width);
    }

    @Override
    public String toString() {
        return "ReceptiveField[rows " + top + ".." + (top + height - 1) + ", cols " + left + ".." + (left + width - 1)
                + ", " + height + "x" + width + "]";
    }
}
