/**
 * Checks users run on their own model: {@link org.deeplearning4j.interpret.check.GradientCheck} compares the
 * engine's input gradient with central finite differences in double precision.
 */
package org.deeplearning4j.interpret.check;
