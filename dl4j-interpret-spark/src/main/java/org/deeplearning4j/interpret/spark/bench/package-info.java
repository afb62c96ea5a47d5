/** Benchmark harnesses of the Spark module: they print figures and are not tests. */
package org.deeplearning4j.interpret.spark.bench;
