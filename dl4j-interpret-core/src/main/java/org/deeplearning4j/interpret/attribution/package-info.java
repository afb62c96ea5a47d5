/**
 * Input-space attribution, all with one calling convention ({@code attribute(input, target)}) and one immutable
 * {@link org.deeplearning4j.interpret.attribution.AttributionResult}: gradient methods
 * ({@link org.deeplearning4j.interpret.attribution.Saliency},
 * {@link org.deeplearning4j.interpret.attribution.GradientXInput},
 * {@link org.deeplearning4j.interpret.attribution.IntegratedGradients},
 * {@link org.deeplearning4j.interpret.attribution.GuidedBackprop},
 * {@link org.deeplearning4j.interpret.attribution.Deconvnet}, the wrapper
 * {@link org.deeplearning4j.interpret.attribution.NoiseTunnel}), perturbation
 * ({@link org.deeplearning4j.interpret.attribution.Occlusion}), the CAM family
 * ({@link org.deeplearning4j.interpret.attribution.GradCam},
 * {@link org.deeplearning4j.interpret.attribution.GuidedGradCam},
 * {@link org.deeplearning4j.interpret.attribution.ScoreCam}), hidden-layer attribution
 * ({@link org.deeplearning4j.interpret.attribution.LayerAttribution}) and Zeiler-Fergus projections
 * ({@link org.deeplearning4j.interpret.attribution.DeconvProjection}).
 */
package org.deeplearning4j.interpret.attribution;
