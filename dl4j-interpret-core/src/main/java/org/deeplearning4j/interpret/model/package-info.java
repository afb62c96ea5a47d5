/**
 * The model adapter: {@link org.deeplearning4j.interpret.model.Models} wraps MultiLayerNetwork and ComputationGraph
 * behind {@link org.deeplearning4j.interpret.model.InterpretableModel}; all model-type branches live here.
 */
package org.deeplearning4j.interpret.model;
