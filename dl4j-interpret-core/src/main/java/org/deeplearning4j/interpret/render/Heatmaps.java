package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.model.InputSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Turns maps and inputs into images: heatmaps with percentile clipping, overlays on the input image, and labelled
 * grids. Rendering only; nothing here computes attributions.
 */
public final class Heatmaps {
    /** Default upper clipping percentile: the top 0.5% of values saturate, so one hot pixel cannot wash out a map. */
    public static final double DEFAULT_CLIP_PERCENTILE = 99.5;
    /** Default heatmap opacity over the input image. */
    public static final double DEFAULT_ALPHA = 0.5;
    /** Gap between grid cells, in pixels. */
    private static final int GRID_GAP = 4;
    /** Caption strip height, in pixels. */
    private static final int CAPTION_HEIGHT = 16;

    private Heatmaps() {
    }

    /**
     * Renders a 2-D map. Sequential maps are scaled from their minimum to the clipping percentile; diverging maps are
     * scaled symmetrically around zero by the percentile of |value|. A constant map renders as the colormap's
     * lowest (sequential) or middle (diverging) colour, never as an error.
     *
     * @param map {@code [H, W]}
     * @param cmap colormap
     * @param clipPercentile percentile in (0, 100] that saturates the scale
     * @return the image
     */
    public static BufferedImage heatmap(INDArray map, Colormap cmap, double clipPercentile) {
        if (map.rank() != 2) {
            throw new IllegalArgumentException("heatmap needs an [H, W] map, got shape " + Arrays.toString(map.shape()));
        }
        if (!(clipPercentile > 0 && clipPercentile <= 100)) {
            throw new IllegalArgumentException("clipPercentile must be in (0, 100], got " + clipPercentile);
        }
        int h = (int) map.size(0);
        int w = (int) map.size(1);
        double[] v = map.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        if (cmap.isDiverging()) {
            double[] abs = Arrays.stream(v).map(Math::abs).toArray();
            double s = percentile(abs, clipPercentile);
            for (int i = 0; i < v.length; i++) {
                img.setRGB(i % w, i / w, cmap.rgb(s > 0 ? 0.5 + 0.5 * v[i] / s : 0.5));
            }
        } else {
            double lo = Arrays.stream(v).min().orElse(0);
            double hi = percentile(v, clipPercentile);
            for (int i = 0; i < v.length; i++) {
                img.setRGB(i % w, i / w, cmap.rgb(hi > lo ? (v[i] - lo) / (hi - lo) : 0));
            }
        }
        return img;
    }

    /** @see #heatmap(INDArray, Colormap, double) */
    public static BufferedImage heatmap(INDArray map, Colormap cmap) {
        return heatmap(map, cmap, DEFAULT_CLIP_PERCENTILE);
    }

    /**
     * The values the colours of {@link #heatmap(INDArray, Colormap, double)} span, for a colour bar.
     *
     * @param map {@code [H, W]}
     * @param cmap colormap
     * @param clipPercentile the same percentile as the heatmap's
     * @return {@code {lo, hi}}: for diverging maps symmetric around zero
     */
    public static double[] scaleRange(INDArray map, Colormap cmap, double clipPercentile) {
        double[] v = map.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
        if (cmap.isDiverging()) {
            double s = percentile(Arrays.stream(v).map(Math::abs).toArray(), clipPercentile);
            return new double[] {-s, s};
        }
        return new double[] {Arrays.stream(v).min().orElse(0), percentile(v, clipPercentile)};
    }

    /**
     * The usual picture of one attribution map: the map as a heatmap ({@link Colormap#RDBU} for signed maps,
     * {@link Colormap#INFERNO} otherwise, clipped at {@link #DEFAULT_CLIP_PERCENTILE}) over the input at
     * {@link #DEFAULT_ALPHA}, with a colour bar and a caption ({@link #figure}).
     *
     * @param input the input image ({@link #inputImage(INDArray, InputSpec)})
     * @param result the attribution
     * @param example which example of the result
     * @param caption what the figure shows (may be empty)
     * @param minSide the smallest side of the enlarged image
     * @return the figure
     */
    public static BufferedImage overlayFigure(BufferedImage input, AttributionResult result, int example,
            String caption, int minSide) {
        INDArray map = result.map(example);
        Colormap cmap = result.isSigned() ? Colormap.RDBU : Colormap.INFERNO;
        return figure(overlay(input, heatmap(map, cmap), DEFAULT_ALPHA), cmap,
                scaleRange(map, cmap, DEFAULT_CLIP_PERCENTILE), caption, minSide);
    }

    /**
     * A readable figure: the image enlarged (nearest neighbour) to at least {@code minSide} pixels, a caption above
     * it and a colour bar on its right labelled with the scale's ends (and zero for signed maps) and whether the map
     * is signed.
     *
     * @param img the heatmap or overlay
     * @param cmap the colormap it was drawn with
     * @param range {@link #scaleRange(INDArray, Colormap, double)}
     * @param caption what the figure shows, in plain words (may be empty)
     * @param minSide the smallest side of the enlarged image
     * @return the figure
     */
    public static BufferedImage figure(BufferedImage img, Colormap cmap, double[] range, String caption, int minSide) {
        BufferedImage big = enlarge(img, minSide);
        int barW = 16;
        int labelW = 78;
        int top = caption == null || caption.isEmpty() ? 6 : 22;
        int w = big.getWidth() + 8 + barW + labelW;
        int h = big.getHeight() + top + 18;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.drawImage(big, 0, top, null);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        if (top > 6) {
            g.drawString(fit(g, caption, w - 4), 2, 15);
        }
        int bx = big.getWidth() + 8;
        int bh = big.getHeight();
        for (int y = 0; y < bh; y++) {
            g.setColor(new java.awt.Color(cmap.rgb(1.0 - y / (double) Math.max(1, bh - 1))));
            g.fillRect(bx, top + y, barW, 1);
        }
        g.setColor(java.awt.Color.DARK_GRAY);
        g.drawRect(bx, top, barW - 1, bh - 1);
        g.setColor(java.awt.Color.BLACK);
        int lx = bx + barW + 4;
        g.drawString(num(range[1]), lx, top + 10);
        g.drawString(num(range[0]), lx, top + bh - 2);
        if (cmap.isDiverging()) {
            g.drawString("0", lx, top + bh / 2 + 4);
        }
        g.drawString(cmap.isDiverging() ? "signed" : "unsigned", bx - 2, top + bh + 14);
        g.dispose();
        return out;
    }

    /**
     * @param img an image
     * @param minSide the smallest side wanted
     * @return the image enlarged by the smallest whole factor that reaches {@code minSide} (nearest neighbour, so
     *         the pixels of small inputs stay sharp), or the image itself when it is large enough
     */
    public static BufferedImage enlarge(BufferedImage img, int minSide) {
        int factor = Math.max(1, (int) Math.ceil(minSide / (double) Math.min(img.getWidth(), img.getHeight())));
        return scale(img, img.getWidth() * factor, img.getHeight() * factor);
    }

    private static String num(double v) {
        return String.format(java.util.Locale.ROOT, Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v != 0) ? "%.2e"
                : "%.3g", v);
    }

    private static String fit(Graphics2D g, String s, int width) {
        String t = s;
        while (t.length() > 3 && g.getFontMetrics().stringWidth(t) > width) {
            t = t.substring(0, t.length() - 4) + "...";
        }
        return t;
    }

    static double percentile(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        int idx = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, idx))];
    }

    /**
     * Converts one model input back to a displayable image using the model's {@link InputSpec} (adds the channel
     * means back, scales the pixel range to 0..255, swaps BGR to RGB). One-channel inputs render as grey.
     *
     * @param chw {@code [C, H, W]} or {@code [1, C, H, W]}
     * @param spec the model's input spec
     * @return the image
     */
    public static BufferedImage inputImage(INDArray chw, InputSpec spec) {
        INDArray a = chw.rank() == 4 ? chw.slice(0) : chw;
        return displayImage(spec.toDisplay(a.reshape(1, a.size(0), a.size(1), a.size(2))));
    }

    /**
     * @param display a display image {@code [C, H, W]} or {@code [1, C, H, W]} with values in [0, 1] (clipped), RGB
     * @return the image; one channel renders as grey
     */
    public static BufferedImage displayImage(INDArray display) {
        INDArray a = display.rank() == 4 ? display.slice(0) : display;
        int c = (int) a.size(0);
        int h = (int) a.size(1);
        int w = (int) a.size(2);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    double v = a.getDouble(c == 1 ? 0 : Math.min(k, c - 1), y, x);
                    rgb[k] = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
                }
                img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return img;
    }

    /**
     * Blends a heatmap over an image (scaled to the image's size).
     *
     * @param base the image
     * @param heat the heatmap
     * @param alpha heatmap opacity in [0, 1]
     * @return a new image
     */
    public static BufferedImage overlay(BufferedImage base, BufferedImage heat, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        int w = base.getWidth();
        int h = base.getHeight();
        BufferedImage hs = scale(heat, w, h);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = base.getRGB(x, y);
                int b = hs.getRGB(x, y);
                int r = mix((a >> 16) & 0xff, (b >> 16) & 0xff, alpha);
                int g = mix((a >> 8) & 0xff, (b >> 8) & 0xff, alpha);
                int bl = mix(a & 0xff, b & 0xff, alpha);
                out.setRGB(x, y, (r << 16) | (g << 8) | bl);
            }
        }
        return out;
    }

    private static int mix(int a, int b, double alpha) {
        return (int) Math.round(a * (1 - alpha) + b * alpha);
    }

    /**
     * @param img image
     * @param w width
     * @param h height
     * @return the image scaled (nearest neighbour when enlarging, so pixels of small inputs stay visible)
     */
    public static BufferedImage scale(BufferedImage img, int w, int h) {
        if (img.getWidth() == w && img.getHeight() == h) {
            return img;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, w >= img.getWidth()
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /**
     * Lays images out side by side in rows, each cell scaled to {@code cell x cell} with a caption underneath.
     *
     * @param images images
     * @param captions one caption per image (may be shorter; missing captions are blank)
     * @param columns cells per row
     * @param cell cell side in pixels
     * @return the grid image
     */
    public static BufferedImage grid(List<BufferedImage> images, List<String> captions, int columns, int cell) {
        if (images.isEmpty() || columns < 1 || cell < 1) {
            throw new IllegalArgumentException("grid needs images, columns >= 1 and cell >= 1");
        }
        int rows = (images.size() + columns - 1) / columns;
        int cols = Math.min(columns, images.size());
        int w = cols * cell + (cols + 1) * GRID_GAP;
        int h = rows * (cell + CAPTION_HEIGHT) + (rows + 1) * GRID_GAP;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int i = 0; i < images.size(); i++) {
            int x = GRID_GAP + (i % columns) * (cell + GRID_GAP);
            int y = GRID_GAP + (i / columns) * (cell + CAPTION_HEIGHT + GRID_GAP);
            g.drawImage(scale(images.get(i), cell, cell), x, y, null);
            if (i < captions.size() && captions.get(i) != null) {
                g.drawString(captions.get(i), x + 2, y + cell + CAPTION_HEIGHT - 4);
            }
        }
        g.dispose();
        return out;
    }

    /**
     * Writes a PNG atomically, creating parent directories.
     *
     * @param img image
     * @param file destination
     * @throws IOException on failure
     */
    public static void writePng(BufferedImage img, File file) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("Cannot create directory " + parent);
        }
        File tmp = new File(file.getPath() + ".tmp");
        if (!ImageIO.write(img, "png", tmp)) {
            throw new IOException("No PNG writer available");
        }
        java.nio.file.Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
