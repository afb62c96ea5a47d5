package org.deeplearning4j.interpret.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * What a model expects as input: NCHW shape, the pixel value range, per-channel mean subtraction and channel order.
 * It decides the default occlusion baseline (a grey patch <em>in the model's own input space</em>) and how inputs
 * are turned back into displayable images.
 *
 * <pre>{@code
 * InputSpec.builder().shape(1, 28, 28).build();                       // [0,1] images
 * InputSpec.builder().shape(3, 224, 224).pixelRange(0, 255)
 *          .channelMeans(103.939, 116.779, 123.68).channelOrder(ChannelOrder.BGR).build();   // VGG "caffe"
 * }</pre>
 */
public final class InputSpec implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Channel order of colour inputs, for display. */
    public enum ChannelOrder { RGB, BGR }

    /** Default pixel range: images scaled to [0, 1]. */
    public static final double DEFAULT_PIXEL_MIN = 0.0;
    /** Default pixel range: images scaled to [0, 1]. */
    public static final double DEFAULT_PIXEL_MAX = 1.0;
    /** A dimension that is not known from the model configuration. */
    public static final long UNKNOWN = -1;

    private final long channels;
    private final long height;
    private final long width;
    private final double pixelMin;
    private final double pixelMax;
    private final double[] channelMeans;
    private final ChannelOrder channelOrder;
    private final double[] neutralValues;

    private InputSpec(Builder b) {
        this.channels = b.channels;
        this.height = b.height;
        this.width = b.width;
        this.pixelMin = b.pixelMin;
        this.pixelMax = b.pixelMax;
        this.channelMeans = b.channelMeans == null ? null : b.channelMeans.clone();
        this.channelOrder = b.channelOrder;
        this.neutralValues = b.neutralValues == null ? null : b.neutralValues.clone();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder initialised with this spec */
    public Builder toBuilder() {
        Builder b = new Builder().shape(channels, height, width).pixelRange(pixelMin, pixelMax)
                .channelOrder(channelOrder);
        b.channelMeans = channelMeans == null ? null : channelMeans.clone();
        b.neutralValues = neutralValues == null ? null : neutralValues.clone();
        return b;
    }

    /** @return input channels, or {@link #UNKNOWN} */
    public long channels() {
        return channels;
    }

    /** @return input height, or {@link #UNKNOWN} */
    public long height() {
        return height;
    }

    /** @return input width, or {@link #UNKNOWN} */
    public long width() {
        return width;
    }

    /** @return the smallest raw pixel value (before mean subtraction) */
    public double pixelMin() {
        return pixelMin;
    }

    /** @return the largest raw pixel value (before mean subtraction) */
    public double pixelMax() {
        return pixelMax;
    }

    /** @return the channel order for display */
    public ChannelOrder channelOrder() {
        return channelOrder;
    }

    /**
     * @param c channel
     * @return the mean subtracted from channel {@code c} by the model's preprocessing (0 if none)
     */
    public double channelMean(int c) {
        return channelMeans == null || c >= channelMeans.length ? 0.0 : channelMeans[c];
    }

    /**
     * The value that means "nothing here" in the model's input space, used by the default occlusion patch and the
     * grey baseline: mid-grey unless {@link Builder#neutralValues(double...)} says otherwise (e.g. 0 for images on a
     * black background such as MNIST or Fashion-MNIST, where a grey patch would add evidence instead of removing it).
     *
     * @param c channel
     * @return the neutral value for channel {@code c}
     */
    public double greyValue(int c) {
        if (neutralValues != null) {
            return neutralValues[Math.min(c, neutralValues.length - 1)];
        }
        return (pixelMin + pixelMax) / 2.0 - channelMean(c);
    }

    /**
     * The model's preprocessing applied to display images: {@code [0, 1]} RGB (or grey) pixels scaled to the pixel
     * range, reordered to BGR when the model expects it, channel means subtracted.
     *
     * @param display {@code [N, C, H, W]} display-space images in {@code [0, 1]}, RGB channel order
     * @return a new array in the model's input space
     */
    public INDArray toModelInput(INDArray display) {
        checkRank(display);
        INDArray out = reorder(display).mul(pixelMax - pixelMin).addi(pixelMin);
        for (int c = 0; c < out.size(1); c++) {
            if (channelMean(c) != 0) {
                out.get(NDArrayIndex.all(), NDArrayIndex.point(c)).subi(channelMean(c));
            }
        }
        return out;
    }

    /**
     * Reverses {@link #toModelInput(INDArray)}: model inputs back to {@code [0, 1]} RGB display images (not clipped).
     *
     * @param input {@code [N, C, H, W]} in the model's input space
     * @return a new display-space array
     */
    public INDArray toDisplay(INDArray input) {
        checkRank(input);
        INDArray out = input.dup();
        for (int c = 0; c < out.size(1); c++) {
            if (channelMean(c) != 0) {
                out.get(NDArrayIndex.all(), NDArrayIndex.point(c)).addi(channelMean(c));
            }
        }
        return reorder(out.subi(pixelMin).divi(pixelMax - pixelMin));
    }

    /**
     * Carries a gradient with respect to the model input back to the display image it was made from (the adjoint of
     * {@link #toModelInput(INDArray)}, which is affine).
     *
     * @param inputGradient {@code [N, C, H, W]} gradient in the model's input space
     * @return the gradient with respect to the display image
     */
    public INDArray displayGradient(INDArray inputGradient) {
        checkRank(inputGradient);
        return reorder(inputGradient).muli(pixelMax - pixelMin);
    }

    private INDArray reorder(INDArray x) {
        if (channelOrder != ChannelOrder.BGR || x.size(1) != 3) {
            return x.dup();
        }
        return Nd4j.concat(1, x.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 3)),
                x.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)),
                x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
    }

    private static void checkRank(INDArray x) {
        if (x == null || x.rank() != 4) {
            throw new IllegalArgumentException("Expected an NCHW array of rank 4, got "
                    + (x == null ? "null" : "shape " + Arrays.toString(x.shape())));
        }
    }

    /** @return true when height and width are known */
    public boolean hasSpatialSize() {
        return height > 0 && width > 0;
    }

    @Override
    public String toString() {
        return "InputSpec[" + channels + "x" + height + "x" + width + ", pixels " + pixelMin + ".." + pixelMax
                + (channelMeans == null ? "" : ", means " + Arrays.toString(channelMeans)) + ", " + channelOrder + "]";
    }

    /** Fluent builder; {@link #build()} validates. */
    public static final class Builder {
        private long channels = UNKNOWN;
        private long height = UNKNOWN;
        private long width = UNKNOWN;
        private double pixelMin = DEFAULT_PIXEL_MIN;
        private double pixelMax = DEFAULT_PIXEL_MAX;
        private double[] channelMeans;
        private ChannelOrder channelOrder = ChannelOrder.RGB;
        private double[] neutralValues;

        private Builder() {
        }

        /**
         * @param values the input value(s) meaning "nothing here", in the model's input space: one for all channels
         *               or one per channel (default: mid-grey of the pixel range, minus the channel means)
         * @return this
         */
        public Builder neutralValues(double... values) {
            this.neutralValues = values.clone();
            return this;
        }

        /**
         * @param c channels
         * @param h height ({@link #UNKNOWN} if any)
         * @param w width ({@link #UNKNOWN} if any)
         * @return this
         */
        public Builder shape(long c, long h, long w) {
            this.channels = c;
            this.height = h;
            this.width = w;
            return this;
        }

        /**
         * @param min smallest raw pixel value, e.g. 0
         * @param max largest raw pixel value, e.g. 1 or 255
         * @return this
         */
        public Builder pixelRange(double min, double max) {
            this.pixelMin = min;
            this.pixelMax = max;
            return this;
        }

        /**
         * @param means per-channel means subtracted by the model's preprocessing
         * @return this
         */
        public Builder channelMeans(double... means) {
            this.channelMeans = means.clone();
            return this;
        }

        /**
         * @param order channel order for display
         * @return this
         */
        public Builder channelOrder(ChannelOrder order) {
            this.channelOrder = order;
            return this;
        }

        /** @return the spec */
        public InputSpec build() {
            if (!(pixelMax > pixelMin)) {
                throw new IllegalArgumentException("pixelRange needs min < max, got " + pixelMin + ".." + pixelMax);
            }
            if (channels == 0 || height == 0 || width == 0) {
                throw new IllegalArgumentException("shape dimensions must be positive or UNKNOWN, got "
                        + channels + "x" + height + "x" + width);
            }
            if (neutralValues != null && (neutralValues.length == 0
                    || (neutralValues.length != 1 && channels > 0 && neutralValues.length != channels))) {
                throw new IllegalArgumentException("neutralValues needs one value or one per channel (" + channels
                        + "), got " + neutralValues.length);
            }
            if (channelMeans != null && channels > 0 && channelMeans.length != channels) {
                throw new IllegalArgumentException("channelMeans has " + channelMeans.length + " values but the "
                        + "input has " + channels + " channels");
            }
            return new InputSpec(this);
        }
    }
}
