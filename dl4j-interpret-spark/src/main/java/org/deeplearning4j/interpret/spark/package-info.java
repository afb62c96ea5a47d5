/**
 * Interpretation over whole datasets on Apache Spark: {@link org.deeplearning4j.interpret.spark.SparkAttribution}
 * (attribution maps for every row of a {@code Dataset<Row>}), {@link org.deeplearning4j.interpret.spark.SparkExampleSearch}
 * (the exact dataset-example search, partitions merged with {@code treeReduce}) and
 * {@link org.deeplearning4j.interpret.spark.ModelRef} (a model that executors open once per task thread).
 */
package org.deeplearning4j.interpret.spark;
