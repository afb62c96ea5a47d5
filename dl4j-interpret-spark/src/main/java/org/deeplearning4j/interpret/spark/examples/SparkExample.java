package org.deeplearning4j.interpret.spark.examples;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.render.ExampleGrids;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.spark.AttributionSpec;
import org.deeplearning4j.interpret.spark.ModelRef;
import org.deeplearning4j.interpret.spark.SparkAttribution;
import org.deeplearning4j.interpret.spark.SparkExampleSearch;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Interpretation over a dataset on Apache Spark, with no cluster: trains the small shapes CNN, puts 2000 images in a
 * {@code Dataset<Row>} (id, image as {@code array<float>}), computes Grad-CAM and saliency maps for every image
 * (Parquet, plus {@code .npy} and PNG files for the first 20), and searches the top-9 images of every channel of
 * {@code relu3}. With {@code spark-submit --master ...} the same main runs on a cluster (see the README).
 *
 * <pre>mvn -pl dl4j-interpret-spark exec:exec@spark [-Dexample.args="OUTPUT_DIR [IMAGES [EPOCHS]]"]</pre>
 */
public final class SparkExample {
    private static final Logger log = LoggerFactory.getLogger(SparkExample.class);
    private static final int SIZE = 32;
    private static final int IMAGES = 2000;

    private SparkExample() {
    }

    /**
     * @param args optional: output directory (any Hadoop filesystem URI or local path; default
     *             interpret-output/spark), number of images (default 2000), training epochs (default 3)
     */
    public static void main(String[] args) throws Exception {
        String out = args.length > 0 ? args[0] : "interpret-output/spark";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : IMAGES;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        SparkSession.Builder sb = SparkSession.builder().appName("dl4j-interpret Spark example");
        if (!new org.apache.spark.SparkConf().contains("spark.master")) {
            sb.master("local[*]").config("spark.ui.enabled", "false");
        }
        SparkSession spark = sb.getOrCreate();
        try {
            MultiLayerNetwork net = ShapesCnn.build(SIZE, 7);
            if (epochs > 0) {
                ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(4000), epochs, 3);
            }
            ModelRef model = ModelRef.of(net, InputSpec.builder().shape(3, SIZE, SIZE).build()).withMaxBatchSize(32);

            Dataset<Row> images = images(spark, SyntheticShapes.builder().size(SIZE).seed(99).build()
                    .generate(count).features()).repartition(8);

            Dataset<Row> cams = SparkAttribution.builder(model, AttributionSpec.gradCam("relu3")).build()
                    .attribute(images).cache();
            cams.write().mode(SaveMode.Overwrite).parquet(out + "/gradcam.parquet");
            Dataset<Row> first = cams.orderBy("id").limit(20);
            SparkAttribution.writePng(first, out + "/gradcam-png");
            SparkAttribution.writeNpy(first, out + "/gradcam-npy");
            log.info("Grad-CAM for {} images: {}/gradcam.parquet; PNG and .npy of the first 20", cams.count(), out);
            cams.unpersist();

            Dataset<Row> saliency = SparkAttribution.builder(model, AttributionSpec.saliency()).build()
                    .attribute(images);
            saliency.write().mode(SaveMode.Overwrite).parquet(out + "/saliency.parquet");

            ExampleSearchResult r = SparkExampleSearch.of(model, b -> b.channels("relu3").k(9))
                    .search(images, "id", "image");
            File grids = new File(out.replaceFirst("^file:", ""), "relu3-top9");
            for (Unit u : new ArrayList<>(r.units()).subList(0, 8)) {
                Heatmaps.writePng(ExampleGrids.topGrid(r, u, InputSpec.builder().shape(3, SIZE, SIZE).build(), 64),
                        new File(grids, "relu3_" + u.channel() + ".png"));
            }
            log.info("Top-9 images of {} relu3 channels over {} images; grids of 8 in {}", r.units().size(),
                    r.examples(), grids);
        } finally {
            spark.stop();
        }
    }

    /** @return rows (id bigint, image array&lt;float&gt; C*H*W) of an NCHW batch */
    public static Dataset<Row> images(SparkSession spark, INDArray x) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < x.size(0); i++) {
            rows.add(RowFactory.create((long) i, x.get(NDArrayIndex.point(i)).dup('c').castTo(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat()));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("id", DataTypes.LongType, false),
                DataTypes.createStructField("image", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
        return spark.createDataFrame(rows, schema);
    }
}
