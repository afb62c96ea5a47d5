package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An input-space attribution method: how much each input pixel matters for a target. */
public interface Attribution {

    /**
     * @param input NCHW batch in the model's input space (not modified)
     * @param target what to explain, e.g. {@code Targets.predicted()}
     * @return the attribution, with its provenance
     */
    AttributionResult attribute(INDArray input, Target target);

    /** @return the method's name, e.g. "Saliency" */
    String name();
}
