/** Runnable examples, one short story per technique. Start with {@link org.deeplearning4j.interpret.examples.Quickstart}. */
package org.deeplearning4j.interpret.examples;
