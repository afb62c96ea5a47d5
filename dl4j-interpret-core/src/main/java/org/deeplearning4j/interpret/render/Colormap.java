package org.deeplearning4j.interpret.render;

/**
 * Colormaps as piecewise-linear interpolation between anchor colours sampled at equal steps from the published
 * maps. VIRIDIS/INFERNO/MAGMA are perceptually uniform sequential maps (van der Walt &amp; Smith, matplotlib 2015);
 * COOLWARM-style RDBU is a diverging map for signed attributions (ColorBrewer RdBu, reversed: blue negative, red
 * positive, white zero).
 */
public enum Colormap {
    /** Sequential, perceptually uniform (dark purple to yellow). */
    VIRIDIS(false, 0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725),
    /** Sequential, perceptually uniform (black to pale yellow). */
    INFERNO(false, 0x000004, 0x1b0c41, 0x4a0c6b, 0x781c6d, 0xa52c60, 0xcf4446, 0xed6925, 0xfb9b06, 0xf7d13d, 0xfcffa4),
    /** Sequential, perceptually uniform (black to pale pink). */
    MAGMA(false, 0x000004, 0x180f3d, 0x440f76, 0x721f81, 0x9e2f7f, 0xcd4071, 0xf1605d, 0xfd9668, 0xfeca8d, 0xfcfdbf),
    /** Diverging: blue for negative, white for zero, red for positive. */
    RDBU(true, 0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b,
            0x67001f);

    private final boolean diverging;
    private final int[] anchors;

    Colormap(boolean diverging, int... anchors) {
        this.diverging = diverging;
        this.anchors = anchors;
    }

    /** @return true for maps meant for signed data centred on zero */
    public boolean isDiverging() {
        return diverging;
    }

    /**
     * @param t position in [0, 1] (clamped; NaN maps to 0)
     * @return packed 0xRRGGBB colour
     */
    public int rgb(double t) {
        double v = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        double pos = v * (anchors.length - 1);
        int i = Math.min((int) pos, anchors.length - 2);
        double f = pos - i;
        int a = anchors[i];
        int b = anchors[i + 1];
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
        int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
        return (r << 16) | (g << 8) | bl;
    }
}
