package org.deeplearning4j.interpret.internal.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * One backward pass to the input (engine SPI): the activations of the seeded layers and the input gradient.
 *
 * @param activations the seeded layers' activations (detached), keyed by layer, in seed order
 * @param gradient the input gradient, shaped like the input
 */
public record InputPass(Map<String, INDArray> activations, INDArray gradient) {
}
