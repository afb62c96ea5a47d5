package org.deeplearning4j.interpret.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Attribution maps for every image of a Spark {@code Dataset<Row>}: each partition is cut into batches that run on
 * the executor's copy of the model ({@link ModelPool}) with one of the methods of {@link AttributionSpec}, and the
 * result is a {@code Dataset<Row>} with one row per image:
 *
 * <table>
 *   <caption>Output columns</caption>
 *   <tr><th>column</th><th>type</th><th>content</th></tr>
 *   <tr><td>the id column</td><td>as in the input</td><td>the image's id</td></tr>
 *   <tr><td>{@code target}</td><td>int</td><td>the explained class</td></tr>
 *   <tr><td>{@code target_value}</td><td>double</td><td>its logit</td></tr>
 *   <tr><td>{@code map}</td><td>array&lt;float&gt;</td><td>the {@code H x W} map, row-major</td></tr>
 *   <tr><td>{@code map_height}, {@code map_width}</td><td>int</td><td>its size</td></tr>
 *   <tr><td>{@code attributions}</td><td>array&lt;float&gt;</td><td>the raw {@code C x H x W} attribution
 *       (only with {@link Builder#keepAttributions(boolean)})</td></tr>
 * </table>
 *
 * Nothing runs until the result is used (Spark is lazy); columns, options and the model are checked here, before
 * any work. An image that cannot be read fails the job with a message naming its id. Maps equal those of the
 * single-JVM methods on the same images (to float rounding: a batch may hold other images than in a local run).
 *
 * <p>The methods are those of the core library: Simonyan et al. 2014 (saliency), Shrikumar et al. 2016
 * (gradient x input), Sundararajan et al. 2017 (integrated gradients), Smilkov et al. 2017 (SmoothGrad),
 * Selvaraju et al. 2017 (Grad-CAM), Zeiler &amp; Fergus 2014 (occlusion).
 *
 * <pre>{@code
 * Dataset<Row> maps = SparkAttribution.builder(ModelRef.of(net, spec), AttributionSpec.saliency())
 *         .idColumn("id").imageColumn("image").build().attribute(images);
 * SparkAttribution.writeNpy(maps, "hdfs:///out/saliency");
 * }</pre>
 */
public final class SparkAttribution implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(SparkAttribution.class);

    /** Output column: the explained class. */
    public static final String TARGET = "target";
    /** Output column: the explained class's logit. */
    public static final String TARGET_VALUE = "target_value";
    /** Output column: the map, row-major. */
    public static final String MAP = "map";
    /** Output column: the map's height. */
    public static final String MAP_HEIGHT = "map_height";
    /** Output column: the map's width. */
    public static final String MAP_WIDTH = "map_width";
    /** Output column: the raw attribution, C x H x W (optional). */
    public static final String ATTRIBUTIONS = "attributions";

    private final ModelRef model;
    private final AttributionSpec method;
    private final String idColumn;
    private final String imageColumn;
    private final String targetColumn;
    private final int targetClass;
    private final boolean keepAttributions;

    private SparkAttribution(Builder b) {
        this.model = b.model;
        this.method = b.method;
        this.idColumn = b.idColumn;
        this.imageColumn = b.imageColumn;
        this.targetColumn = b.targetColumn;
        this.targetClass = b.targetClass;
        this.keepAttributions = b.keepAttributions;
    }

    /**
     * @param model the model to explain
     * @param method the method
     * @return a builder
     */
    public static Builder builder(ModelRef model, AttributionSpec method) {
        return new Builder(model, method);
    }

    /**
     * @param images rows with the id and image columns (and the target column if set)
     * @return one row per image (see the class description); lazy
     * @throws IllegalArgumentException if a column is missing or of the wrong type, or the model does not accept
     *         the method's options
     */
    public Dataset<Row> attribute(Dataset<Row> images) {
        // check before work: the model opens, the method's options fit it, the columns have the types we read
        InterpretableModel local = ModelPool.get(model);
        method.build(local);
        InputSpec spec = local.inputSpec();
        ImageRows reader = ImageRows.check(images, idColumn, imageColumn, spec, false);
        List<String> cols = new ArrayList<>(List.of(idColumn, imageColumn));
        if (targetColumn != null) {
            StructField f = null;
            for (StructField s : images.schema().fields()) {
                f = s.name().equals(targetColumn) ? s : f;
            }
            if (f == null || !(f.dataType().equals(DataTypes.IntegerType) || f.dataType().equals(DataTypes.LongType)
                    || f.dataType().equals(DataTypes.ShortType))) {
                throw new IllegalArgumentException("The target column '" + targetColumn + "' must exist and hold "
                        + "class indices (int or bigint); the columns are " + images.schema().simpleString());
            }
            cols.add(targetColumn);
        }
        if (targetClass >= local.numClasses()) {
            throw new IllegalArgumentException("Target class " + targetClass + " is outside the model's "
                    + local.numClasses() + " classes (valid 0.." + (local.numClasses() - 1) + ")");
        }
        SparkSession spark = images.sparkSession();
        ExecutorSettings settings = ExecutorSettings.of(spark);
        log.info("Attribution on Spark: {} with {}", model, method);
        Dataset<Row> selected = images.select(cols.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
        if (targetColumn != null) {
            selected = selected.withColumn(targetColumn, functions.col(targetColumn).cast(DataTypes.LongType));
        }
        JavaRDD<InternalRow> rows = selected.queryExecution().toRdd().toJavaRDD();
        JavaRDD<Row> out = rows.mapPartitions(new Partition(model, method, reader, settings, targetColumn != null,
                targetClass, keepAttributions));
        return spark.createDataFrame(out, schema(reader));
    }

    private StructType schema(ImageRows reader) {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField(idColumn, reader.idSparkType(), false));
        f.add(DataTypes.createStructField(TARGET, DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField(TARGET_VALUE, DataTypes.DoubleType, false));
        f.add(DataTypes.createStructField(MAP, DataTypes.createArrayType(DataTypes.FloatType, false), false));
        f.add(DataTypes.createStructField(MAP_HEIGHT, DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField(MAP_WIDTH, DataTypes.IntegerType, false));
        if (keepAttributions) {
            f.add(DataTypes.createStructField(ATTRIBUTIONS, DataTypes.createArrayType(DataTypes.FloatType, false),
                    false));
        }
        return DataTypes.createStructType(f);
    }

    /**
     * Writes each row's map as {@code <dir>/<id>.npy} ({@code float32 [H, W]}) on any Hadoop filesystem.
     *
     * @param maps the output of {@link #attribute(Dataset)}
     * @param dir destination directory URI
     */
    public static void writeNpy(Dataset<Row> maps, String dir) {
        MapFiles.write(maps, dir, MapFiles.Kind.NPY);
    }

    /**
     * Writes each row's map as {@code <dir>/<id>.png}: a heatmap (a diverging colour map for signed maps), enlarged
     * to at least 224 pixels a side.
     *
     * @param maps the output of {@link #attribute(Dataset)}
     * @param dir destination directory URI
     */
    public static void writePng(Dataset<Row> maps, String dir) {
        MapFiles.write(maps, dir, MapFiles.Kind.PNG);
    }

    /** One partition: batches of rows in, rows of maps out, lazily (one batch in memory at a time). */
    private static final class Partition implements FlatMapFunction<Iterator<InternalRow>, Row> {
        private static final long serialVersionUID = 1L;
        private final ModelRef ref;
        private final AttributionSpec spec;
        private final ImageRows reader;
        private final ExecutorSettings settings;
        private final boolean targetColumn;
        private final int targetClass;
        private final boolean keep;

        Partition(ModelRef ref, AttributionSpec spec, ImageRows reader, ExecutorSettings settings,
                boolean targetColumn, int targetClass, boolean keep) {
            this.ref = ref;
            this.spec = spec;
            this.reader = reader;
            this.settings = settings;
            this.targetColumn = targetColumn;
            this.targetClass = targetClass;
            this.keep = keep;
        }

        @Override
        public Iterator<Row> call(Iterator<InternalRow> rows) {
            settings.apply();
            InterpretableModel model = ModelPool.get(ref);
            Attribution method = spec.build(model);
            InputSpec inputSpec = model.inputSpec();
            int batchSize = ref.maxBatchSize();
            return new Iterator<>() {
                private final Deque<Row> ready = new ArrayDeque<>();

                @Override
                public boolean hasNext() {
                    if (ready.isEmpty() && rows.hasNext()) {
                        next(batchSize);
                    }
                    return !ready.isEmpty();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return ready.poll();
                }

                private void next(int max) {
                    Object[] ids = new Object[max];
                    long[] classes = new long[max];
                    float[] values = new float[(int) (max * reader.imageLength())];
                    int n = 0;
                    while (n < max && rows.hasNext()) {
                        InternalRow r = rows.next();
                        ids[n] = reader.id(r, 0);
                        reader.copy(r, 1, ids[n], values, n, inputSpec);
                        if (targetColumn) {
                            if (r.isNullAt(2)) {
                                throw new IllegalArgumentException("Image id=" + ids[n] + ": the target is null");
                            }
                            classes[n] = r.getLong(2);
                            if (classes[n] < 0 || classes[n] >= model.numClasses()) {
                                throw new IllegalArgumentException("Image id=" + ids[n] + ": target class "
                                        + classes[n] + " is outside the model's " + model.numClasses() + " classes");
                            }
                        }
                        n++;
                    }
                    INDArray x = reader.batch(values, n);
                    int[] cls = new int[n];
                    try {
                        if (targetColumn) {
                            for (int i = 0; i < n; i++) {
                                cls[i] = (int) classes[i];
                            }
                        } else if (targetClass >= 0) {
                            java.util.Arrays.fill(cls, targetClass);
                        } else {
                            cls = Nd4j.argMax(model.logits(x), 1).toIntVector();
                        }
                        Target target = Targets.logits(cls);
                        AttributionResult res = method.attribute(x, target);
                        emit(res, ids, cls, n);
                    } catch (RuntimeException e) {
                        throw new IllegalStateException(spec.method() + " failed on the batch of images with ids "
                                + ids[0] + " .. " + ids[n - 1] + ": " + e.getMessage(), e);
                    }
                }

                private void emit(AttributionResult res, Object[] ids, int[] cls, int n) {
                    INDArray maps = res.map().castTo(DataType.FLOAT);
                    double[] tv = res.targetValues().castTo(DataType.DOUBLE).toDoubleVector();
                    INDArray raw = keep ? res.attributions().castTo(DataType.FLOAT) : null;
                    int h = (int) maps.size(1);
                    int w = (int) maps.size(2);
                    for (int i = 0; i < n; i++) {
                        float[] m = maps.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup('c').data()
                                .asFloat();
                        Object[] cells = keep
                                ? new Object[] {ids[i], cls[i], tv[i], m, h, w,
                                        raw.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup('c').data()
                                                .asFloat()}
                                : new Object[] {ids[i], cls[i], tv[i], m, h, w};
                        ready.add(RowFactory.create(cells));
                    }
                }
            };
        }
    }

    /** Options. */
    public static final class Builder {
        private final ModelRef model;
        private final AttributionSpec method;
        private String idColumn = "id";
        private String imageColumn = "image";
        private String targetColumn;
        private int targetClass = -1;
        private boolean keepAttributions;

        private Builder(ModelRef model, AttributionSpec method) {
            if (model == null || method == null) {
                throw new IllegalArgumentException("model and method must be given");
            }
            this.model = model;
            this.method = method;
        }

        /**
         * @param name the id column (bigint, int or string; default "id")
         * @return this
         */
        public Builder idColumn(String name) {
            this.idColumn = name;
            return this;
        }

        /**
         * @param name the image column (default "image"): {@code array<float>} of C*H*W values in NCHW order and the
         *             model's input space, or binary PNG/JPEG bytes (resized and preprocessed like image files)
         * @return this
         */
        public Builder imageColumn(String name) {
            this.imageColumn = name;
            return this;
        }

        /**
         * @param name a column with the class to explain per image (default: the predicted class)
         * @return this
         */
        public Builder targetColumn(String name) {
            this.targetColumn = name;
            return this;
        }

        /**
         * @param cls one class to explain for every image (default: the predicted class)
         * @return this
         */
        public Builder targetClass(int cls) {
            if (cls < 0) {
                throw new IllegalArgumentException("Target class must be >= 0, got " + cls);
            }
            this.targetClass = cls;
            return this;
        }

        /**
         * @param keep also return the raw C x H x W attribution per image (default false)
         * @return this
         */
        public Builder keepAttributions(boolean keep) {
            this.keepAttributions = keep;
            return this;
        }

        /** @return the attribution job */
        public SparkAttribution build() {
            if (targetColumn != null && targetClass >= 0) {
                throw new IllegalArgumentException("Give either a target column or a target class, not both");
            }
            return new SparkAttribution(this);
        }
    }
}
