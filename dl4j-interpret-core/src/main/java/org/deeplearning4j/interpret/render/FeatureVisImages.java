package org.deeplearning4j.interpret.render;

import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders feature-visualization results: single images, captioned grids, PNG files and report sections. */
public final class FeatureVisImages {
    /** Default grid cell size in pixels. */
    public static final int DEFAULT_CELL = 128;

    private FeatureVisImages() {
    }

    /**
     * @param chw a display image {@code [C, H, W]} or {@code [1, C, H, W]} in [0, 1]
     * @return the image (grey for one channel)
     */
    public static BufferedImage toImage(INDArray chw) {
        return Heatmaps.displayImage(chw);
    }

    /**
     * @param r result
     * @param i image index
     * @return the image
     */
    public static BufferedImage image(FeatureVisResult r, int i) {
        return toImage(r.image(i));
    }

    /**
     * @param r result
     * @param captions one caption per image, or null for "#i value"
     * @param columns cells per row
     * @param cell cell size
     * @return all images of the result in a grid
     */
    public static BufferedImage grid(FeatureVisResult r, List<String> captions, int columns, int cell) {
        List<BufferedImage> imgs = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            imgs.add(image(r, i));
        }
        return Heatmaps.grid(imgs, captions != null ? captions : defaultCaptions(r), columns, cell);
    }

    /**
     * @param r result
     * @return "#i v=value" per image
     */
    public static List<String> defaultCaptions(FeatureVisResult r) {
        List<String> caps = new ArrayList<>();
        INDArray v = r.values();
        for (int i = 0; i < r.size(); i++) {
            caps.add(String.format(Locale.ROOT, "#%d v=%.3g", i, v.getDouble(i)));
        }
        return caps;
    }

    /**
     * The snapshots of image {@code i} over the optimisation, left to right.
     *
     * @param r result
     * @param i image index
     * @param cell cell size
     * @return a strip captioned with the step
     */
    public static BufferedImage progress(FeatureVisResult r, int i, int cell) {
        List<BufferedImage> imgs = new ArrayList<>();
        List<String> caps = new ArrayList<>();
        for (Map.Entry<Integer, INDArray> e : r.snapshots().entrySet()) {
            imgs.add(toImage(e.getValue().slice(i)));
            caps.add("step " + e.getKey());
        }
        return Heatmaps.grid(imgs, caps, imgs.size(), cell);
    }

    /**
     * Writes {@code prefix-i.png} per image and {@code prefix-grid.png}.
     *
     * @param r result
     * @param dir output directory (created)
     * @param prefix file name prefix
     * @param captions grid captions, or null for the defaults
     * @return the files written, the grid last
     * @throws IOException on failure
     */
    public static List<File> writePngs(FeatureVisResult r, File dir, String prefix, List<String> captions)
            throws IOException {
        List<File> files = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            File f = new File(dir, prefix + "-" + i + ".png");
            Heatmaps.writePng(image(r, i), f);
            files.add(f);
        }
        File g = new File(dir, prefix + "-grid.png");
        Heatmaps.writePng(grid(r, captions, Math.min(8, r.size()), DEFAULT_CELL), g);
        files.add(g);
        return files;
    }

    /**
     * Adds a section with every image of the result, captioned, and how they were made.
     *
     * @param report report builder
     * @param heading section heading
     * @param r result
     * @param captions one per image, or null for the defaults
     * @return the builder
     */
    public static HtmlReport.Builder addTo(HtmlReport.Builder report, String heading, FeatureVisResult r,
            List<String> captions) {
        report.section(heading, "Objective " + r.objective() + "; " + r.parameterization() + " parameterization, "
                + "transforms " + r.transforms() + ", " + r.steps() + " Adam steps at " + r.learningRate()
                + ", seed " + r.seed() + ".");
        List<String> caps = captions != null ? captions : defaultCaptions(r);
        for (int i = 0; i < r.size(); i++) {
            report.image(Heatmaps.scale(image(r, i), DEFAULT_CELL, DEFAULT_CELL), i < caps.size() ? caps.get(i) : "");
        }
        return report;
    }
}
