package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.nn.conf.ConvolutionMode;

/**
 * How a layer maps input positions to output positions, for receptive-field arithmetic and incremental computation:
 * unit to unit, through a window, shifted (padding, cropping), onto the whole input, or resampled (no affine map).
 *
 * @param kind the kind of map
 * @param kernel window kernel {rows, columns} ({@link Kind#WINDOW} only)
 * @param stride window stride
 * @param padding window padding as the layer configures it
 * @param dilation window dilation
 * @param mode window convolution mode
 * @param shift rows and columns added before the input: padding positive, cropping negative ({@link Kind#SHIFT}
 *              only)
 */
public record Footprint(Kind kind, int[] kernel, int[] stride, int[] padding, int[] dilation, ConvolutionMode mode,
        int[] shift) {
    /** The kinds of position map. */
    public enum Kind {
        /** Each output unit reads the input unit at its position (activations, batch norm, dropout). */
        UNIT,
        /** Unit to unit while the data is spatial; the whole input once it is flat (dense-like layers). */
        UNIT_OR_WHOLE,
        /** A window per output unit (convolution, pooling). */
        WINDOW,
        /** Positions shifted by a constant (padding, cropping). */
        SHIFT,
        /** Every output unit sees the whole input (global pooling). */
        WHOLE,
        /** No affine map (up-sampling, transposed convolution, space-to-depth): measured instead. */
        RESAMPLED
    }

    /** Unit to unit. */
    public static final Footprint UNIT = of(Kind.UNIT);
    /** Unit to unit on spatial data, the whole input on flat data. */
    public static final Footprint UNIT_OR_WHOLE = of(Kind.UNIT_OR_WHOLE);
    /** The whole input. */
    public static final Footprint WHOLE = of(Kind.WHOLE);
    /** Resampled: no affine map. */
    public static final Footprint RESAMPLED = of(Kind.RESAMPLED);

    private static Footprint of(Kind kind) {
        return new Footprint(kind, null, null, null, null, null, null);
    }

    /**
     * @param k kernel
     * @param s stride
     * @param p padding
     * @param d dilation
     * @param mode convolution mode
     * @return a window
     */
    public static Footprint window(int[] k, int[] s, int[] p, int[] d, ConvolutionMode mode) {
        return new Footprint(Kind.WINDOW, k, s, p, d, mode, null);
    }

    /**
     * @param rows rows added before the input (negative: cropped)
     * @param columns columns added before the input (negative: cropped)
     * @return a shift
     */
    public static Footprint shift(int rows, int columns) {
        return new Footprint(Kind.SHIFT, null, null, null, null, null, new int[] {rows, columns});
    }
}
