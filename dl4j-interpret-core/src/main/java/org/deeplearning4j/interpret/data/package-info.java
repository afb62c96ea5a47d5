/** Deterministic synthetic data with ground truth, and the small CNN used by the quickstart and tests. */
package org.deeplearning4j.interpret.data;
