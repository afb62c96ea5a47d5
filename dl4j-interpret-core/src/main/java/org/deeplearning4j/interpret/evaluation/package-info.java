/**
 * Which map can I trust on my model? Faithfulness, robustness, localization and sanity metrics that rank attribution
 * methods on the user's own model and data: {@link org.deeplearning4j.interpret.evaluation.DeletionInsertion}
 * (deletion, insertion and ROAD curves), {@link org.deeplearning4j.interpret.evaluation.ParameterRandomization}
 * (sanity checks), {@link org.deeplearning4j.interpret.evaluation.Infidelity},
 * {@link org.deeplearning4j.interpret.evaluation.Sensitivity},
 * {@link org.deeplearning4j.interpret.evaluation.Localization},
 * {@link org.deeplearning4j.interpret.evaluation.Completeness}, and
 * {@link org.deeplearning4j.interpret.evaluation.MethodScorecard}, which runs a set of methods and metrics over a
 * dataset. Every metric is seeded, works in chunks, reports progress, and returns an immutable result with
 * {@code .npy}/CSV export.
 */
package org.deeplearning4j.interpret.evaluation;
