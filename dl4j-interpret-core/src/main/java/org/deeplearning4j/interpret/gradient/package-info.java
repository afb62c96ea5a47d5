/**
 * The rules users choose and the layers the engines accept: {@link org.deeplearning4j.interpret.gradient.ReluRule}
 * (plain, guided, deconvnet), the LRP rules and composites, the coverage of a ReLU rule on a network, and
 * {@link org.deeplearning4j.interpret.gradient.LayerCatalogue}, the verified layers with their status. The engines
 * themselves are internal ({@code internal.engine}).
 */
package org.deeplearning4j.interpret.gradient;
