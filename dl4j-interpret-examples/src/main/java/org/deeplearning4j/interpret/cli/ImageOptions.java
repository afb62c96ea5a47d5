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
            description = "Images (JPEG, PNG, BMP, GIF) or folders of images; resized shorter side first, then centre "
                    + "cropped to the model's input.")
    List<File> images;

    /** @return the image files, folders expanded (sorted by name) */
    List<File> imageFiles() throws IOException {
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
        return ImageLoader.of(m.inputSpec()).load(files);
    }
}
