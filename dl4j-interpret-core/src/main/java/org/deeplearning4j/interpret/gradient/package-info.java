/**
 * The shared gradient engine: a fast path through libnd4j ops (a SameDiff mirror sharing the network's parameters)
 * and a correct fallback through DL4J's own layer backprop, with pluggable ReLU backward rules.
 */
package org.deeplearning4j.interpret.gradient;
