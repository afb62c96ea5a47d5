package org.deeplearning4j.interpret.spark;

import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch attribution on Spark local[2] gives the single-JVM maps, whatever the partitioning. */
class SparkAttributionTest {
    private static final int N = 20;
    private static INDArray x;
    private static InterpretableModel local;
    private static ModelRef ref;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        x = SparkFixtures.images(N);
        ref = ModelRef.of(SparkFixtures.network(), SparkFixtures.SPEC).withMaxBatchSize(4);
        local = Models.builder(SparkFixtures.network()).inputSpec(SparkFixtures.SPEC).build();
    }

    private static Map<Long, Row> byId(Dataset<Row> d) {
        Map<Long, Row> m = new HashMap<>();
        for (Row r : d.collectAsList()) {
            m.put(r.getLong(0), r);
        }
        return m;
    }

    private static float[] floats(Row r, String col) {
        List<Float> l = r.getList(r.fieldIndex(col));
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = l.get(i);
        }
        return v;
    }

    @Test
    void mapsEqualTheSingleJvmMapsForOneTwoAndSevenPartitions() {
        int[] predicted = Nd4j.argMax(local.logits(x), 1).toIntVector();
        List<AttributionSpec> specs = List.of(AttributionSpec.saliency(), AttributionSpec.gradientXInput(),
                AttributionSpec.integratedGradients(8, AttributionSpec.Reference.zeros()),
                AttributionSpec.smoothGrad(3, 0.1, 5L), AttributionSpec.gradCam("conv3"),
                AttributionSpec.occlusion(8, 8, AttributionSpec.Reference.grey()));
        for (AttributionSpec spec : specs) {
            AttributionResult expected = spec.build(local).attribute(x, Targets.logits(predicted));
            INDArray maps = expected.map().castTo(DataType.FLOAT);
            // occlusion's map is a difference of logits: its rounding follows the logits' scale, not the map's
            double scale = Math.max(1, Math.max(org.nd4j.linalg.ops.transforms.Transforms.abs(maps).maxNumber()
                    .doubleValue(), org.nd4j.linalg.ops.transforms.Transforms.abs(expected.targetValues())
                    .maxNumber().doubleValue()));
            for (int partitions : new int[] {1, 2, 7}) {
                Map<Long, Row> got = byId(SparkAttribution.builder(ref, spec).build()
                        .attribute(SparkFixtures.rows(x, partitions)));
                assertEquals(N, got.size());
                for (int i = 0; i < N; i++) {
                    Row r = got.get((long) i);
                    assertEquals(predicted[i], r.getInt(1), spec + " target of image " + i);
                    assertEquals(expected.targetValues().getDouble(i), r.getDouble(2), 1e-5);
                    INDArray m = Nd4j.create(floats(r, SparkAttribution.MAP), new long[] {r.getInt(4), r.getInt(5)},
                            'c');
                    double diff = org.nd4j.linalg.ops.transforms.Transforms.abs(m.sub(maps.get(NDArrayIndex.point(i)))).maxNumber().doubleValue();
                    assertTrue(diff <= 1e-6 * scale, spec + ", " + partitions + " partitions, image " + i
                            + ": max difference " + diff + " (map scale " + scale + ")");
                }
            }
        }
    }

    @Test
    void targetColumnsTargetClassesAndRawAttributionsAreHonoured() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            rows.add(RowFactory.create((long) i, x.get(NDArrayIndex.point(i)).dup('c').data().asFloat(), i % 4));
        }
        Dataset<Row> d = SparkFixtures.spark().createDataFrame(rows, SparkFixtures.floatSchema()
                .add("label", DataTypes.IntegerType, false));
        Map<Long, Row> byLabel = byId(SparkAttribution.builder(ref, AttributionSpec.gradientXInput())
                .targetColumn("label").keepAttributions(true).build().attribute(d));
        AttributionResult expected = AttributionSpec.gradientXInput().build(local).attribute(x,
                Targets.logits(java.util.stream.IntStream.range(0, N).map(i -> i % 4).toArray()));
        for (int i = 0; i < N; i++) {
            Row r = byLabel.get((long) i);
            assertEquals(i % 4, r.getInt(1));
            INDArray raw = Nd4j.create(floats(r, SparkAttribution.ATTRIBUTIONS), new long[] {3, 32, 32}, 'c');
            INDArray want = expected.attributions().get(NDArrayIndex.point(i)).castTo(DataType.FLOAT);
            assertTrue(raw.equalsWithEps(want, 1e-6 * Math.max(1e-3, org.nd4j.linalg.ops.transforms.Transforms.abs(want).maxNumber().doubleValue())));
        }
        for (Row r : SparkAttribution.builder(ref, AttributionSpec.saliency()).targetClass(2).build()
                .attribute(d).collectAsList()) {
            assertEquals(2, r.getInt(1));
        }
    }

    @Test
    void encodedPngImagesGiveTheMapsOfTheirPixels() throws Exception {
        List<Row> rows = new ArrayList<>();
        INDArray quantised = Nd4j.create(DataType.FLOAT, 4, 3, 32, 32);
        for (int i = 0; i < 4; i++) {
            BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            for (int yy = 0; yy < 32; yy++) {
                for (int xx = 0; xx < 32; xx++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        int v = (int) Math.round(255 * Math.min(1, Math.max(0, x.getDouble(i, c, yy, xx))));
                        quantised.putScalar(new int[] {i, c, yy, xx}, v / 255.0);
                        rgb = (rgb << 8) | v;
                    }
                    img.setRGB(xx, yy, rgb);
                }
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            rows.add(RowFactory.create("img-" + i, png.toByteArray()));
        }
        Dataset<Row> d = SparkFixtures.spark().createDataFrame(rows, DataTypes.createStructType(List.of(
                DataTypes.createStructField("name", DataTypes.StringType, false),
                DataTypes.createStructField("png", DataTypes.BinaryType, false))));
        List<Row> got = SparkAttribution.builder(ref, AttributionSpec.saliency()).idColumn("name").imageColumn("png")
                .build().attribute(d).orderBy("name").collectAsList();
        AttributionResult expected = AttributionSpec.saliency().build(local).attribute(quantised, Targets.predicted());
        for (int i = 0; i < 4; i++) {
            assertEquals("img-" + i, got.get(i).getString(0));
            INDArray m = Nd4j.create(floats(got.get(i), SparkAttribution.MAP), new long[] {32, 32}, 'c');
            INDArray want = expected.map().get(NDArrayIndex.point(i)).castTo(DataType.FLOAT);
            assertTrue(m.equalsWithEps(want, 1e-6 * org.nd4j.linalg.ops.transforms.Transforms.abs(want).maxNumber().doubleValue()), "image " + i);
        }
    }

    @Test
    void aBadImageFailsTheJobWithAMessageNamingItsId() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            float[] v = x.get(NDArrayIndex.point(i)).dup('c').data().asFloat();
            rows.add(RowFactory.create((long) (100 + i), i == 4 ? java.util.Arrays.copyOf(v, 10) : v));
        }
        Dataset<Row> d = SparkFixtures.spark().createDataFrame(rows, SparkFixtures.floatSchema()).repartition(3);
        SparkException e = assertThrows(SparkException.class, () -> SparkAttribution.builder(ref,
                AttributionSpec.saliency()).build().attribute(d).collectAsList());
        assertTrue(e.getMessage().contains("Image id=104: expected 3x32x32 = 3072 floats"), e.getMessage());
        rows.set(4, RowFactory.create(104L, x.get(NDArrayIndex.point(4)).dup('c').data().asFloat()));
        float[] nan = x.get(NDArrayIndex.point(2)).dup('c').data().asFloat();
        nan[7] = Float.NaN;
        rows.set(2, RowFactory.create(102L, nan));
        Dataset<Row> d2 = SparkFixtures.spark().createDataFrame(rows, SparkFixtures.floatSchema());
        e = assertThrows(SparkException.class, () -> SparkAttribution.builder(ref, AttributionSpec.saliency()).build()
                .attribute(d2).count());
        assertTrue(e.getMessage().contains("Image id=102: the image holds NaN"), e.getMessage());
    }

    @Test
    void badColumnsAndOptionsAreRefusedBeforeAnyWork() {
        Dataset<Row> d = SparkFixtures.rows(x.get(NDArrayIndex.interval(0, 2)), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkAttribution.builder(ref,
                AttributionSpec.saliency()).imageColumn("pixels").build().attribute(d));
        assertTrue(e.getMessage().contains("No image column 'pixels'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkAttribution.builder(ref,
                AttributionSpec.saliency()).imageColumn("id").build().attribute(d));
        assertTrue(e.getMessage().contains("expected array<float>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkAttribution.builder(ref,
                AttributionSpec.gradCam("nope")).build().attribute(d));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SparkAttribution.builder(ref,
                AttributionSpec.saliency()).targetClass(9).build().attribute(d));
        assertTrue(e.getMessage().contains("outside the model's 4 classes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AttributionSpec.integratedGradients(0,
                AttributionSpec.Reference.zeros()));
        assertThrows(IllegalArgumentException.class, () -> AttributionSpec.occlusion(8, 4,
                AttributionSpec.Reference.blurred(2)));
        assertThrows(IllegalArgumentException.class, () -> SparkAttribution.builder(ref, AttributionSpec.saliency())
                .targetClass(1).targetColumn("label").build());
    }

    @Test
    void writersPutOneNpyAndOnePngPerImageOnAHadoopPath() throws Exception {
        Dataset<Row> maps = SparkAttribution.builder(ref, AttributionSpec.saliency()).build()
                .attribute(SparkFixtures.rows(x.get(NDArrayIndex.interval(0, 5)), 2)).cache();
        String uri = dir.toUri().toString();
        SparkAttribution.writeNpy(maps, uri + "npy");
        SparkAttribution.writePng(maps, uri + "png");
        for (Row r : maps.collectAsList()) {
            INDArray npy = Npy.read(dir.resolve("npy").resolve(r.getLong(0) + ".npy").toFile());
            assertTrue(npy.equals(Nd4j.create(floats(r, SparkAttribution.MAP), new long[] {32, 32}, 'c')));
            BufferedImage png = ImageIO.read(dir.resolve("png").resolve(r.getLong(0) + ".png").toFile());
            assertTrue(png.getWidth() >= MapFiles.MIN_PNG_SIDE, "PNG of width " + png.getWidth());
        }
        assertEquals("a_b_.._c", MapFiles.fileName("a/b/../c"));
        maps.unpersist();
    }

    @Test
    void aModelRefSurvivesSerializationAndAChangedFileIsRefused() throws Exception {
        File zip = dir.resolve("net.zip").toFile();
        SparkFixtures.network().save(zip, false);
        ModelRef fromUri = ModelRef.fromUri(zip.toURI().toString(), SparkFixtures.spark().sparkContext()
                .hadoopConfiguration(), SparkFixtures.SPEC);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(fromUri);
        }
        ModelRef back;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ModelRef) in.readObject();
        }
        assertEquals(fromUri, back);
        INDArray logits = back.open().logits(x.get(NDArrayIndex.interval(0, 3)));
        assertTrue(logits.equalsWithEps(local.logits(x.get(NDArrayIndex.interval(0, 3))), 1e-6));
        ShapesNet.other().save(zip, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, back::open);
        assertTrue(e.getMessage().contains("changed after the job started"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ref.withMaxBatchSize(0));
    }

    /** A network with other weights. */
    private static final class ShapesNet {
        static org.deeplearning4j.nn.multilayer.MultiLayerNetwork other() {
            return org.deeplearning4j.interpret.data.ShapesCnn.build(SparkFixtures.SIZE, 8L);
        }
    }

    @Test
    void idsOfAnyTypeComeBackUnchanged() {
        Dataset<Row> d = SparkFixtures.rows(x.get(NDArrayIndex.interval(0, 3)), 2)
                .withColumn("id", functions.col("id").cast("int"));
        List<Row> got = SparkAttribution.builder(ref, AttributionSpec.saliency()).build().attribute(d)
                .orderBy("id").collectAsList();
        assertEquals(DataTypes.IntegerType, got.get(0).schema().fields()[0].dataType());
        assertEquals(List.of(0, 1, 2), got.stream().map(r -> r.getInt(0)).toList());
    }
}
