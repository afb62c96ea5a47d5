package org.deeplearning4j.interpret.segmentation;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Splits images into segments (feature groups). Implementations are immutable and deterministic. */
public interface Segmenter {

    /**
     * @param images NCHW batch in the model's input space (not modified)
     * @return one segmentation per image
     */
    Segmentation segment(INDArray images);

    /** @return a short description for provenance, e.g. {@code slic(50, compactness 200)} */
    String description();
}
