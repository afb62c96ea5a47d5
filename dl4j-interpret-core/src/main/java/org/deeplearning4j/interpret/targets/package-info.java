/** What to explain: class logits and probabilities, channels and neurons ({@link org.deeplearning4j.interpret.targets.Targets}). */
package org.deeplearning4j.interpret.targets;
