/**
 * Input-space attribution: {@link org.deeplearning4j.interpret.attribution.Saliency},
 * {@link org.deeplearning4j.interpret.attribution.GradientXInput} and
 * {@link org.deeplearning4j.interpret.attribution.Occlusion}, all returning an immutable
 * {@link org.deeplearning4j.interpret.attribution.AttributionResult}.
 */
package org.deeplearning4j.interpret.attribution;
