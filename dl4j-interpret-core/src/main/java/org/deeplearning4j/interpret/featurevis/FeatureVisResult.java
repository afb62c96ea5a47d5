package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.io.Npy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Optimised images and how they were made: the objective, parameterization, transforms, seed, steps; the objective
 * per image on the final (untransformed) images, its mean at every step, and snapshots at the chosen thresholds.
 * Immutable: arrays are copied on the way out. Render with {@code render.FeatureVisImages}.
 */
public final class FeatureVisResult {
    private final String objective;
    private final String parameterization;
    private final String transforms;
    private final long seed;
    private final int steps;
    private final double learningRate;
    private final INDArray images;
    private final INDArray values;
    private final double[] history;
    private final Map<Integer, INDArray> snapshots;

    FeatureVisResult(String objective, String parameterization, String transforms, long seed, int steps,
            double learningRate, INDArray images, INDArray values, double[] history, Map<Integer, INDArray> snapshots) {
        this.objective = objective;
        this.parameterization = parameterization;
        this.transforms = transforms;
        this.seed = seed;
        this.steps = steps;
        this.learningRate = learningRate;
        this.images = images.dup();
        this.values = values.dup();
        this.history = history.clone();
        this.snapshots = Collections.unmodifiableMap(new TreeMap<>(snapshots));
    }

    /**
     * Joins results of consecutive batches (e.g. the chunks of a layer's channels) into one; the seed and settings
     * reported are the first part's, the history is the image-weighted mean.
     *
     * @param objective description of the whole
     * @param parts results in order
     * @return one result with all images
     */
    public static FeatureVisResult join(String objective, List<FeatureVisResult> parts) {
        if (parts.size() == 1) {
            FeatureVisResult p = parts.get(0);
            return new FeatureVisResult(objective, p.parameterization, p.transforms, p.seed, p.steps,
                    p.learningRate, p.images, p.values, p.history, p.snapshots);
        }
        FeatureVisResult first = parts.get(0);
        List<INDArray> imgs = new ArrayList<>();
        List<INDArray> vals = new ArrayList<>();
        double[] hist = new double[first.steps];
        long total = 0;
        Map<Integer, List<INDArray>> snaps = new TreeMap<>();
        for (FeatureVisResult p : parts) {
            imgs.add(p.images);
            vals.add(p.values);
            long n = p.images.size(0);
            for (int i = 0; i < hist.length; i++) {
                hist[i] += p.history[i] * n;
            }
            total += n;
            p.snapshots.forEach((k, v) -> snaps.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        for (int i = 0; i < hist.length; i++) {
            hist[i] /= total;
        }
        Map<Integer, INDArray> joined = new TreeMap<>();
        snaps.forEach((k, v) -> joined.put(k, Nd4j.concat(0, v.toArray(new INDArray[0]))));
        return new FeatureVisResult(objective, first.parameterization, first.transforms, first.seed, first.steps,
                first.learningRate, Nd4j.concat(0, imgs.toArray(new INDArray[0])),
                Nd4j.concat(0, vals.toArray(new INDArray[0])), hist, joined);
    }

    /** @return the objective's description */
    public String objective() {
        return objective;
    }

    /** @return the parameterization's description */
    public String parameterization() {
        return parameterization;
    }

    /** @return the transforms' description */
    public String transforms() {
        return transforms;
    }

    /** @return the seed of the (first) run */
    public long seed() {
        return seed;
    }

    /** @return optimisation steps */
    public int steps() {
        return steps;
    }

    /** @return Adam's learning rate */
    public double learningRate() {
        return learningRate;
    }

    /** @return number of images */
    public int size() {
        return (int) images.size(0);
    }

    /** @return the display images {@code [N, C, H, W]}, values in (0, 1), RGB */
    public INDArray images() {
        return images.dup();
    }

    /**
     * @param i image index
     * @return display image {@code [C, H, W]}
     */
    public INDArray image(int i) {
        return images.get(NDArrayIndex.point(i)).dup();
    }

    /** @return the objective per image on the final images without transforms, {@code [N]} */
    public INDArray values() {
        return values.dup();
    }

    /** @return the mean objective (over images, through that step's transforms) after each step */
    public double[] history() {
        return history.clone();
    }

    /** @return images kept at the thresholds (and the last step), keyed by steps done */
    public Map<Integer, INDArray> snapshots() {
        Map<Integer, INDArray> out = new TreeMap<>();
        snapshots.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /**
     * @param file destination {@code .npy}
     * @throws IOException on failure
     */
    public void saveImages(File file) throws IOException {
        Npy.write(images, file);
    }

    @Override
    public String toString() {
        return "FeatureVisResult[" + objective + ", " + size() + " image(s), " + steps + " steps, " + parameterization
                + ", transforms " + transforms + ", seed " + seed + "]";
    }
}
