package org.deeplearning4j.interpret.internal.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One backward pass to a hidden layer (engine SPI).
 *
 * @param activation the seeded layer's activation
 * @param wrtActivation the activation of the layer differentiated with respect to (the override when one was given)
 * @param gradient the gradient, shaped like {@code wrtActivation}
 */
public record LayerPass(INDArray activation, INDArray wrtActivation, INDArray gradient) {
}
