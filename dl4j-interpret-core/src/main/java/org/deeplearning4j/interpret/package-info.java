/**
 * dl4j-interpret: visual interpretation of Deeplearning4j CNN image classifiers.
 *
 * <p>Start with {@link org.deeplearning4j.interpret.model.Models#of(org.deeplearning4j.nn.multilayer.MultiLayerNetwork)},
 * pick a method from {@link org.deeplearning4j.interpret.attribution} and render the result with
 * {@link org.deeplearning4j.interpret.render}.
 */
package org.deeplearning4j.interpret;
