package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.Map;

/**
 * The state an {@link Objective} is evaluated on: activations of the layers it reads, the display-space image (for
 * penalties), and accumulators for the gradients. One per evaluation; not shared between threads. Created by the
 * optimiser, read and filled by objectives.
 */
public final class Evaluation {
    private final InterpretableModel model;
    private final Map<String, INDArray> activations;
    private final INDArray image;
    private final Map<String, INDArray> layerGradients = new HashMap<>();
    private INDArray imageGradient;

    /**
     * @param model the model (resolves layer names)
     * @param activations activations keyed by resolved layer name, whole batch
     * @param image display-space images {@code [N, C, H, W]}, or null when no penalty needs them
     */
    Evaluation(InterpretableModel model, Map<String, INDArray> activations, INDArray image) {
        this.model = model;
        this.activations = activations;
        this.image = image;
    }

    /** @return the model (to resolve layer names) */
    public InterpretableModel model() {
        return model;
    }

    /**
     * @param layer a layer name as collected by {@link Objective#collectLayers}
     * @return its activation for the whole batch (do not modify)
     * @throws IllegalStateException when the layer was not collected
     */
    public INDArray activation(String layer) {
        INDArray a = activations.get(layer);
        if (a == null) {
            throw new IllegalStateException("No activation recorded for layer '" + layer + "'");
        }
        return a;
    }

    /**
     * @return the display-space images {@code [N, C, H, W]} (RGB in [0, 1]; do not modify)
     * @throws IllegalStateException when this evaluation has no image
     */
    public INDArray image() {
        if (image == null) {
            throw new IllegalStateException("This evaluation has no image");
        }
        return image;
    }

    /** @return the number of images */
    public long batchSize() {
        return image != null ? image.size(0) : activations.values().iterator().next().size(0);
    }

    /**
     * Adds {@code weight * g} to the gradient of a layer's activation.
     *
     * @param layer a collected layer
     * @param g {@code d value / d activation}, shaped like the activation
     * @param weight the factor passed to {@link Objective#gradient}
     */
    public void addLayerGradient(String layer, INDArray g, double weight) {
        INDArray scaled = g.mul(weight);
        layerGradients.merge(layer, scaled, INDArray::addi);
    }

    /**
     * Adds {@code weight * g} to the gradient with respect to the display image.
     *
     * @param g {@code d value / d image}, shaped like {@link #image()}
     * @param weight the factor passed to {@link Objective#gradient}
     */
    public void addImageGradient(INDArray g, double weight) {
        INDArray scaled = g.mul(weight);
        imageGradient = imageGradient == null ? scaled : imageGradient.addi(scaled);
    }

    /** @return an evaluation of image {@code i} alone (rows copied) */
    Evaluation row(int i) {
        Map<String, INDArray> acts = new HashMap<>();
        activations.forEach((k, v) -> acts.put(k, v.get(NDArrayIndex.interval(i, i + 1)).dup()));
        return new Evaluation(model, acts, image == null ? null : image.get(NDArrayIndex.interval(i, i + 1)).dup());
    }

    /** Adds the gradients accumulated by {@link #row(int)}'s evaluation into row {@code i}. */
    void mergeRow(int i, Evaluation row) {
        row.layerGradients.forEach((k, g) -> layerGradients.computeIfAbsent(k, l -> Nd4j.zerosLike(activation(l)))
                .get(NDArrayIndex.interval(i, i + 1)).addi(g));
        if (row.imageGradient != null) {
            if (imageGradient == null) {
                imageGradient = Nd4j.zerosLike(image());
            }
            imageGradient.get(NDArrayIndex.interval(i, i + 1)).addi(row.imageGradient);
        }
    }

    Map<String, INDArray> layerGradients() {
        return layerGradients;
    }

    /** @return the penalty gradient with respect to the image (zeros if there is none) */
    INDArray imageGradient() {
        return imageGradient != null ? imageGradient : Nd4j.zerosLike(image());
    }
}
