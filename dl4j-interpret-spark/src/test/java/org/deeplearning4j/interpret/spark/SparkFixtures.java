package org.deeplearning4j.interpret.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/** One local[2] Spark session per test JVM, a small seeded CNN, and synthetic images as rows. */
final class SparkFixtures {
    static final int SIZE = 32;
    static final InputSpec SPEC = InputSpec.builder().shape(3, SIZE, SIZE).build();
    private static SparkSession spark;
    private static MultiLayerNetwork net;

    private SparkFixtures() {
    }

    static synchronized SparkSession spark() {
        if (spark == null || spark.sparkContext().isStopped()) {
            spark = SparkSession.builder().master("local[2]").appName("dl4j-interpret-spark-test")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
        }
        return spark;
    }

    /** The shapes CNN with seeded random weights (conv1, pool1, conv2, bn2, relu2, pool2, conv3, ..., gap). */
    static synchronized MultiLayerNetwork network() {
        if (net == null) {
            net = ShapesCnn.build(SIZE, 7L);
        }
        return net;
    }

    static INDArray images(int n) {
        return SyntheticShapes.builder().size(SIZE).seed(2026L).build().generate(n).features().castTo(DataType.FLOAT);
    }

    static StructType floatSchema() {
        return DataTypes.createStructType(List.of(DataTypes.createStructField("id", DataTypes.LongType, false),
                DataTypes.createStructField("image", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
    }

    /** Rows (id = position, image = C*H*W floats) in {@code partitions} partitions. */
    static Dataset<Row> rows(INDArray x, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < x.size(0); i++) {
            rows.add(RowFactory.create((long) i, x.get(NDArrayIndex.point(i)).dup('c').data().asFloat()));
        }
        return spark().createDataFrame(rows, floatSchema()).repartition(partitions);
    }
}
