/** Concepts: testing with concept activation vectors (TCAV) at any layer, with its statistical test. */
package org.deeplearning4j.interpret.concepts;
