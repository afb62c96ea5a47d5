/**
 * Interpretation during training: {@link org.deeplearning4j.interpret.listener.InterpretationListener} snapshots
 * attributions, feature visualizations and top activations into a timeline report without changing training.
 */
package org.deeplearning4j.interpret.listener;
