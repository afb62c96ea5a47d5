package org.deeplearning4j.interpret.segmentation;

import boofcv.abst.segmentation.ImageSuperpixels;
import boofcv.factory.segmentation.ConfigFh04;
import boofcv.factory.segmentation.ConfigSlic;
import boofcv.factory.segmentation.FactoryImageSegmentation;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.ImageType;
import boofcv.struct.image.Planar;
import org.deeplearning4j.interpret.internal.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Ready-made segmenters: a regular grid, superpixels (SLIC, Felzenszwalb-Huttenlocher; BoofCV's implementations) and
 * fixed user masks.
 *
 * <p>Superpixel algorithms compare colours, so each image is first scaled to 0..255 by its own minimum and maximum
 * (over all channels): the segmentation does not depend on the model's normalisation.
 *
 * <p>Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods", IEEE TPAMI 34(11), 2012,
 * <a href="https://doi.org/10.1109/TPAMI.2012.120">doi:10.1109/TPAMI.2012.120</a>; Felzenszwalb &amp;
 * Huttenlocher, "Efficient Graph-Based Image Segmentation", IJCV 59(2), 2004,
 * <a href="https://doi.org/10.1023/B:VISI.0000022288.95741.5f">doi:10.1023/B:VISI.0000022288.95741.5f</a>.
 */
public final class Segmenters {
    /** Default number of SLIC superpixels. */
    public static final int DEFAULT_SLIC_SEGMENTS = 50;
    /** Default SLIC compactness (BoofCV's spatial weight; larger gives squarer segments). */
    public static final double DEFAULT_SLIC_COMPACTNESS = 200;
    /** Default Felzenszwalb-Huttenlocher scale K (BoofCV's default; larger gives larger segments). */
    public static final double DEFAULT_FH_K = 100;
    /** Default smallest Felzenszwalb-Huttenlocher segment in pixels. */
    public static final int DEFAULT_FH_MIN_SIZE = 30;

    private Segmenters() {
    }

    /**
     * @param cellHeight cell height in pixels
     * @param cellWidth cell width in pixels
     * @return a regular grid of cells (the last row and column of cells may be smaller)
     */
    public static Segmenter grid(int cellHeight, int cellWidth) {
        if (cellHeight < 1 || cellWidth < 1) {
            throw new IllegalArgumentException("grid cells must be at least 1x1 pixels, got " + cellHeight + "x"
                    + cellWidth);
        }
        String d = "grid " + cellHeight + "x" + cellWidth;
        return new Simple(d, images -> {
            int h = (int) images.size(2);
            int w = (int) images.size(3);
            int cols = (w + cellWidth - 1) / cellWidth;
            int[] l = new int[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    l[y * w + x] = (y / cellHeight) * cols + x / cellWidth;
                }
            }
            int[][] all = new int[(int) images.size(0)][];
            Arrays.fill(all, l);
            return Segmentation.of(all, h, w, d);
        });
    }

    /** @return SLIC superpixels, {@value #DEFAULT_SLIC_SEGMENTS} of them, default compactness */
    public static Segmenter slic() {
        return slic(DEFAULT_SLIC_SEGMENTS, DEFAULT_SLIC_COMPACTNESS);
    }

    /**
     * @param segments the number of superpixels to aim for (the result can have a few more or fewer)
     * @param compactness spatial weight (default {@value #DEFAULT_SLIC_COMPACTNESS}); larger gives squarer segments
     * @return SLIC superpixels
     */
    public static Segmenter slic(int segments, double compactness) {
        if (segments < 2) {
            throw new IllegalArgumentException("SLIC needs at least 2 segments, got " + segments);
        }
        if (!(compactness > 0) || Double.isInfinite(compactness)) {
            throw new IllegalArgumentException("SLIC compactness must be a positive number, got " + compactness);
        }
        String d = String.format(Locale.ROOT, "slic(%d, compactness %s)", segments, compactness);
        return new Simple(d, images -> superpixels(images, d, channels -> {
            ConfigSlic c = new ConfigSlic(segments);
            c.spacialWeight = (float) compactness;
            return FactoryImageSegmentation.slic(c, ImageType.pl(channels, GrayF32.class));
        }));
    }

    /**
     * @param k scale (default {@value #DEFAULT_FH_K}); larger gives larger segments
     * @param minSize smallest segment in pixels (default {@value #DEFAULT_FH_MIN_SIZE})
     * @return Felzenszwalb-Huttenlocher graph-based segments
     */
    public static Segmenter felzenszwalb(double k, int minSize) {
        if (!(k > 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("Felzenszwalb-Huttenlocher K must be a positive number, got " + k);
        }
        if (minSize < 1) {
            throw new IllegalArgumentException("the smallest segment must be >= 1 pixel, got " + minSize);
        }
        String d = String.format(Locale.ROOT, "felzenszwalb(K %s, min size %d)", k, minSize);
        return new Simple(d, images -> superpixels(images, d, channels -> {
            ConfigFh04 c = new ConfigFh04((float) k, minSize);
            return FactoryImageSegmentation.fh04(c, ImageType.pl(channels, GrayF32.class));
        }));
    }

    /**
     * @param segmentation a fixed segmentation (one shared by every image, or one per image of the batch)
     * @return a segmenter that returns it for batches it fits
     */
    public static Segmenter fixed(Segmentation segmentation) {
        if (segmentation == null) {
            throw new IllegalArgumentException("segmentation is null");
        }
        return new Simple(segmentation.description(), images -> {
            segmentation.checkFits(images.size(0), images.size(2), images.size(3));
            return segmentation;
        });
    }

    private static Segmentation superpixels(INDArray images, String description,
            Function<Integer, ImageSuperpixels<Planar<GrayF32>>> factory) {
        int n = (int) images.size(0);
        int c = (int) images.size(1);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        ImageSuperpixels<Planar<GrayF32>> alg = factory.apply(c);
        int[][] labels = new int[n][];
        double[] all = HostArrays.doubles(images);
        for (int i = 0; i < n; i++) {
            int off = i * c * h * w;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < c * h * w; p++) {
                min = Math.min(min, all[off + p]);
                max = Math.max(max, all[off + p]);
            }
            double scale = max > min ? 255.0 / (max - min) : 0;
            Planar<GrayF32> img = new Planar<>(GrayF32.class, w, h, c);
            for (int ch = 0; ch < c; ch++) {
                GrayF32 band = img.getBand(ch);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        band.set(x, y, (float) ((all[off + (ch * h + y) * w + x] - min) * scale));
                    }
                }
            }
            GrayS32 out = new GrayS32(w, h);
            alg.segment(img, out);
            int[] l = new int[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    l[y * w + x] = out.get(x, y);
                }
            }
            labels[i] = l;
        }
        return Segmentation.of(labels, h, w, description);
    }

    private static final class Simple implements Segmenter {
        private final String description;
        private final Function<INDArray, Segmentation> f;

        Simple(String description, Function<INDArray, Segmentation> f) {
            this.description = description;
            this.f = f;
        }

        @Override
        public Segmentation segment(INDArray images) {
            if (images == null || images.rank() != 4) {
                throw new IllegalArgumentException("segmenters take an NCHW batch, got "
                        + (images == null ? "null" : Arrays.toString(images.shape())));
            }
            return f.apply(images);
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
