package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.io.ImageLoader;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The images a command reads. */
final class ImageOptions {
    @Option(names = {"-i", "--image"}, required = true, split = ",", paramLabel = "FILE|DIR",
            description = "Images (JPEG, PNG, BMP, GIF) or folders of images. An image already at the model's input "
                    + "size is used as it is; any other is resized (shorter side to size / crop fraction) and centre "
                    + "cropped.")
    List<File> images;

    @Option(names = "--crop-fraction", paramLabel = "F", defaultValue = "0.875",
            description = "When an image must be resized: the centre crop's share of the resized shorter side "
                    + "(0.875, ImageNet's 256 -> 224, by default; 1 resizes the shorter side to the input size).")
    double cropFraction;

    /** @return the image files, folders expanded (sorted by name) */
    List<File> imageFiles() throws IOException {
        return expand(images);
    }

    /**
     * @param images files or folders
     * @return the image files, folders expanded (sorted by name)
     */
    static List<File> expand(List<File> images) throws IOException {
        List<File> out = new ArrayList<>();
        for (File f : images) {
            if (f.isDirectory()) {
                File[] found = f.listFiles((d, n) -> n.toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)"));
                if (found == null || found.length == 0) {
                    throw new IOException("No images (PNG, JPEG, BMP, GIF) in folder " + f.getAbsolutePath());
                }
                Arrays.sort(found);
                out.addAll(Arrays.asList(found));
            } else if (!f.isFile()) {
                throw new IOException("Image not found: " + f.getAbsolutePath());
            } else {
                out.add(f);
            }
        }
        return out;
    }

    INDArray loadImages(InterpretableModel m, List<File> files) throws IOException {
        return ImageLoader.of(m.inputSpec(), cropFraction).load(files);
    }

    /** Images per batch of {@link #loadBatches}. */
    static final int BATCH = 16;

    /**
     * Loads every image before any work (an unreadable one fails here, not halfway through), in batches.
     *
     * @param m the model (its input spec)
     * @param files the images
     * @return batches of at most {@value #BATCH} images
     */
    List<INDArray> loadBatches(InterpretableModel m, List<File> files) throws IOException {
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < files.size(); i += BATCH) {
            batches.add(loadImages(m, files.subList(i, Math.min(files.size(), i + BATCH))));
        }
        return batches;
    }
}
