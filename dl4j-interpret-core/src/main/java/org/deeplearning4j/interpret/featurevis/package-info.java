/**
 * Feature visualization by optimization: {@link org.deeplearning4j.interpret.featurevis.Objective}s (built by
 * {@link org.deeplearning4j.interpret.featurevis.Objectives}), image
 * {@link org.deeplearning4j.interpret.featurevis.Parameterization}s, robustness
 * {@link org.deeplearning4j.interpret.featurevis.Transform}s and the Adam loop in
 * {@link org.deeplearning4j.interpret.featurevis.FeatureVisualization}.
 */
package org.deeplearning4j.interpret.featurevis;
