package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.model.InputSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Streams the images of a folder (PNG, JPEG, BMP, GIF; sorted by name) as NCHW batches in a model's input space:
 * resized bilinearly to the spec's size, scaled to its pixel range, channel order applied and channel means
 * subtracted. Pure JDK (no OpenCV).
 */
public final class ImageFolder implements Iterable<INDArray> {
    private final List<File> files;
    private final InputSpec spec;
    private final int batchSize;

    /**
     * @param dir folder of images
     * @param spec the model's input spec (its size is required)
     * @param batchSize images per batch
     */
    public ImageFolder(File dir, InputSpec spec, int batchSize) {
        File[] found = dir.listFiles((d, n) -> n.toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)"));
        if (found == null) {
            throw new IllegalArgumentException(dir + " is not a readable folder");
        }
        if (!spec.hasSpatialSize() || spec.channels() < 1) {
            throw new IllegalArgumentException("The InputSpec needs the input size and channels to load images");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        Arrays.sort(found);
        this.files = List.of(found);
        this.spec = spec;
        this.batchSize = batchSize;
    }

    /** @return the image files, in stream order */
    public List<File> files() {
        return files;
    }

    @Override
    public Iterator<INDArray> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < files.size();
            }

            @Override
            public INDArray next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int end = Math.min(files.size(), next + batchSize);
                List<INDArray> imgs = new ArrayList<>();
                for (int i = next; i < end; i++) {
                    imgs.add(load(files.get(i)));
                }
                next = end;
                return Nd4j.concat(0, imgs.toArray(new INDArray[0]));
            }
        };
    }

    private INDArray load(File f) {
        BufferedImage img;
        try {
            img = ImageIO.read(f);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read image " + f, e);
        }
        if (img == null) {
            throw new IllegalArgumentException("Not a readable image: " + f);
        }
        int h = (int) spec.height();
        int w = (int) spec.width();
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return spec.toModelInput(org.deeplearning4j.interpret.io.ImageLoader.pixels(scaled, (int) spec.channels()));
    }
}
