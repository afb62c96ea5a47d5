/** A runnable example of the Spark module, on {@code local[*]} or a cluster. */
package org.deeplearning4j.interpret.spark.examples;
