/**
 * Internal, not API: the gradient engines behind {@link org.deeplearning4j.interpret.model.ModelSpi}. The SameDiff
 * mirror of a DL4J network (the fast path), the loop over DL4J's own layers (the fallback), the rule walker (LRP,
 * DeepLIFT), their shared rules for activations, maxima and convolutions, and the records they return. Each layer
 * type's rules for all of them are one {@link org.deeplearning4j.interpret.internal.engine.LayerRules} class,
 * listed in {@link org.deeplearning4j.interpret.internal.engine.LayerRegistry}. Public only so that the adapter in
 * {@code model} can use them; may change without notice.
 */
package org.deeplearning4j.interpret.internal.engine;
