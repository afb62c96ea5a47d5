package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A reference input for path and perturbation methods ("what the image would be without the evidence"). */
public interface Baseline {

    /**
     * @param input the validated NCHW batch
     * @param model the model (for its input space)
     * @return the baseline, same shape and type as {@code input}
     */
    INDArray create(INDArray input, InterpretableModel model);

    /** @return a short description, e.g. {@code zeros} */
    String description();
}
