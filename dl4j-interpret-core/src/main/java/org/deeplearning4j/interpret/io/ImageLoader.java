package org.deeplearning4j.interpret.io;

import org.deeplearning4j.interpret.model.InputSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * Loads JPEG/PNG/BMP/GIF images of any size into a model's input. <b>An image already at the model's input size is
 * used exactly as it is</b> (no resize, no crop); any other is resized as ImageNet evaluation does: the shorter side
 * to {@code size / cropFraction} (256 for a 224 input with the default 0.875), then the centre {@code size x size}
 * square is cropped. Pixels go to {@code [0, 1]} RGB (grey images are repeated to three channels;
 * colour images are averaged to one for one-channel models), then through the model's preprocessing from its
 * {@link InputSpec} (pixel range, BGR order, mean subtraction). {@link InputSpec#toDisplay(INDArray)} reverses it.
 * Downscaling halves the image repeatedly with bilinear filtering before the last step, so it does not alias.
 */
public final class ImageLoader {
    /** ImageNet evaluation's crop fraction: resize to 256, crop 224. */
    public static final double DEFAULT_CROP_FRACTION = 0.875;

    private final InputSpec spec;
    private final double cropFraction;

    private ImageLoader(InputSpec spec, double cropFraction) {
        if (!spec.hasSpatialSize() || spec.channels() <= 0) {
            throw new IllegalArgumentException("The image loader needs the model's input shape in its InputSpec, got "
                    + spec);
        }
        if (!(cropFraction > 0 && cropFraction <= 1)) {
            throw new IllegalArgumentException("cropFraction must be in (0, 1], got " + cropFraction);
        }
        this.spec = spec;
        this.cropFraction = cropFraction;
    }

    /**
     * @param spec the model's input spec
     * @return a loader with {@link #DEFAULT_CROP_FRACTION}
     */
    public static ImageLoader of(InputSpec spec) {
        return new ImageLoader(spec, DEFAULT_CROP_FRACTION);
    }

    /**
     * @param spec the model's input spec
     * @param cropFraction the centre crop's share of the resized shorter side (1 = resize the shorter side to the
     *                     input size exactly)
     * @return a loader
     */
    public static ImageLoader of(InputSpec spec, double cropFraction) {
        return new ImageLoader(spec, cropFraction);
    }

    /**
     * @param file an image file
     * @return the preprocessed model input {@code [1, C, H, W]} (FP32)
     * @throws IOException when the file is missing or not a readable image (the message names the file)
     */
    public INDArray load(File file) throws IOException {
        return spec.toModelInput(loadDisplay(file));
    }

    /**
     * @param files image files
     * @return the preprocessed batch {@code [N, C, H, W]}
     * @throws IOException when one is unreadable
     */
    public INDArray load(List<File> files) throws IOException {
        INDArray[] parts = new INDArray[files.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = load(files.get(i));
        }
        return Nd4j.concat(0, parts);
    }

    /**
     * @param file an image file
     * @return the resized, cropped display image {@code [1, C, H, W]} in {@code [0, 1]}, RGB
     * @throws IOException when unreadable
     */
    public INDArray loadDisplay(File file) throws IOException {
        if (file == null || !file.isFile()) {
            throw new IOException("Image not found: " + (file == null ? "null" : file.getAbsolutePath()));
        }
        BufferedImage img = ImageIO.read(file);
        if (img == null) {
            throw new IOException("Not a readable image (JPEG, PNG, BMP or GIF expected): " + file.getAbsolutePath());
        }
        if (spec.channels() == 1 && isColour(img)) {
            org.slf4j.LoggerFactory.getLogger(ImageLoader.class).warn("{} is a colour image, but the model takes one "
                    + "channel: it gets the mean of red, green and blue. Convert the image to grey yourself if the "
                    + "model was trained on another conversion", file.getName());
        }
        return toDisplay(img);
    }

    /**
     * @param img an image
     * @return true if any pixel's red, green and blue differ (a grey image stored as RGB is not colour)
     */
    public static boolean isColour(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (r != g || g != b) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param img an image of any size
     * @return the display image {@code [1, C, H, W]} in {@code [0, 1]}: the image itself at the input size, else
     *         resized and centre cropped
     */
    public INDArray toDisplay(BufferedImage img) {
        int h = (int) spec.height();
        int w = (int) spec.width();
        if (img.getWidth() == w && img.getHeight() == h) {
            return pixels(img, (int) spec.channels());
        }
        double scale = Math.max(h, w) / cropFraction / Math.min(img.getWidth(), img.getHeight());
        int rw = Math.max(w, (int) Math.round(img.getWidth() * scale));
        int rh = Math.max(h, (int) Math.round(img.getHeight() * scale));
        BufferedImage resized = resize(img, rw, rh);
        return pixels(resized.getSubimage((rw - w) / 2, (rh - h) / 2, w, h), (int) spec.channels());
    }

    /**
     * @param img an image already at the model's size
     * @param c channels: 3 for RGB, 1 for the mean of the three
     * @return its display form {@code [1, c, H, W]} in {@code [0, 1]}
     */
    public static INDArray pixels(BufferedImage img, int c) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] out = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float g = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                if (c == 1) {
                    out[y * w + x] = (r + g + b) / 3f;
                } else {
                    out[y * w + x] = r;
                    out[h * w + y * w + x] = g;
                    out[2 * h * w + y * w + x] = b;
                }
            }
        }
        return Nd4j.createFromArray(out).reshape('c', 1, c, h, w).castTo(DataType.FLOAT);
    }

    /** Bilinear resize; large reductions go by halves first so that no source pixel is skipped. */
    static BufferedImage resize(BufferedImage src, int w, int h) {
        BufferedImage cur = toRgb(src);
        while (cur.getWidth() / 2 >= w && cur.getHeight() / 2 >= h) {
            cur = draw(cur, cur.getWidth() / 2, cur.getHeight() / 2);
        }
        return cur.getWidth() == w && cur.getHeight() == h ? cur : draw(cur, w, h);
    }

    private static BufferedImage toRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, java.awt.Color.WHITE, null);
        g.dispose();
        return out;
    }

    private static BufferedImage draw(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
