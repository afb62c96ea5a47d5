package org.deeplearning4j.interpret.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructField;
import org.deeplearning4j.interpret.io.ImageLoader;
import org.deeplearning4j.interpret.model.InputSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Reads an id column and an image column of Spark rows into NCHW batches, straight from Spark's internal rows: an
 * {@code array<float>} image is copied as one primitive array (no boxed value per pixel), encoded PNG/JPEG bytes
 * are decoded with the same {@link ImageLoader} rules as files. Every problem with one row names the row's id.
 */
final class ImageRows implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How ids are read: Spark's internal rows store them by type. */
    enum IdType { LONG, INT, STRING }

    private final IdType idType;
    private final boolean encoded;
    private final long c;
    private final long h;
    private final long w;

    private ImageRows(IdType idType, boolean encoded, long c, long h, long w) {
        this.idType = idType;
        this.encoded = encoded;
        this.c = c;
        this.h = h;
        this.w = w;
    }

    /**
     * Checks the columns before any work.
     *
     * @param data the rows
     * @param idColumn the id column (long, int or string)
     * @param imageColumn the image column ({@code array<float>} NCHW in the model's input space, or binary
     *                    PNG/JPEG)
     * @param spec the model's input spec, with its shape
     * @param longIdsOnly whether ids must be integers (global ids of a search)
     * @return the reader
     * @throws IllegalArgumentException naming the column, its type and the types accepted
     */
    static ImageRows check(Dataset<Row> data, String idColumn, String imageColumn, InputSpec spec,
            boolean longIdsOnly) {
        if (data == null) {
            throw new IllegalArgumentException("data is null");
        }
        StructField id = field(data, idColumn, "id");
        StructField img = field(data, imageColumn, "image");
        IdType idType;
        if (id.dataType().equals(DataTypes.LongType)) {
            idType = IdType.LONG;
        } else if (id.dataType().equals(DataTypes.IntegerType)) {
            idType = IdType.INT;
        } else if (id.dataType().equals(DataTypes.StringType) && !longIdsOnly) {
            idType = IdType.STRING;
        } else {
            throw new IllegalArgumentException("The id column '" + idColumn + "' has type " + id.dataType()
                    .simpleString() + "; expected " + (longIdsOnly ? "bigint or int (unique global ids; add one "
                    + "with functions.monotonically_increasing_id())" : "bigint, int or string"));
        }
        DataType t = img.dataType();
        boolean encoded;
        if (t instanceof BinaryType) {
            encoded = true;
        } else if (t instanceof ArrayType && ((ArrayType) t).elementType() instanceof FloatType) {
            encoded = false;
        } else {
            throw new IllegalArgumentException("The image column '" + imageColumn + "' has type " + t.simpleString()
                    + "; expected array<float> (C*H*W values, NCHW order, in the model's input space) or binary "
                    + "(an encoded PNG or JPEG)");
        }
        if (spec == null || !spec.hasSpatialSize() || spec.channels() <= 0) {
            throw new IllegalArgumentException("The model's input shape is unknown: give the ModelRef an InputSpec "
                    + "with shape(c, h, w)");
        }
        return new ImageRows(idType, encoded, spec.channels(), spec.height(), spec.width());
    }

    private static StructField field(Dataset<Row> data, String name, String what) {
        if (name == null) {
            throw new IllegalArgumentException("The " + what + " column name is null");
        }
        for (StructField f : data.schema().fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("No " + what + " column '" + name + "'; the columns are "
                + Arrays.toString(data.schema().fieldNames()));
    }

    /** @return the Spark type of the id column */
    DataType idSparkType() {
        return idType == IdType.LONG ? DataTypes.LongType : idType == IdType.INT ? DataTypes.IntegerType
                : DataTypes.StringType;
    }

    /** @return the id of a row whose id is at {@code ordinal} (a Long, Integer or String) */
    Object id(InternalRow row, int ordinal) {
        if (row.isNullAt(ordinal)) {
            throw new IllegalArgumentException("A row has a null id: every row needs an id");
        }
        switch (idType) {
            case LONG:
                return row.getLong(ordinal);
            case INT:
                return row.getInt(ordinal);
            default:
                return row.getUTF8String(ordinal).toString();
        }
    }

    /** @return values per image */
    long imageLength() {
        return c * h * w;
    }

    /**
     * Copies one row's image into {@code batch} at example {@code i}.
     *
     * @param row the row
     * @param ordinal the image's position in the row
     * @param id the row's id, for messages
     * @param batch destination, {@code n * C*H*W} values
     * @param i the example's position in the batch
     * @param spec the model's input spec (to preprocess decoded images)
     */
    void copy(InternalRow row, int ordinal, Object id, float[] batch, int i, InputSpec spec) {
        if (row.isNullAt(ordinal)) {
            throw new IllegalArgumentException("Image id=" + id + ": the image is null");
        }
        int len = (int) imageLength();
        float[] v;
        if (encoded) {
            byte[] bytes = row.getBinary(ordinal);
            BufferedImage img;
            try {
                img = ImageIO.read(new ByteArrayInputStream(bytes));
            } catch (IOException e) {
                img = null;
            }
            if (img == null) {
                throw new IllegalArgumentException("Image id=" + id + ": " + bytes.length + " bytes that are not a "
                        + "readable PNG, JPEG, BMP or GIF image");
            }
            INDArray x = spec.toModelInput(ImageLoader.of(spec).toDisplay(img));
            v = x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        } else {
            v = row.getArray(ordinal).toFloatArray();
            if (v.length != len) {
                throw new IllegalArgumentException("Image id=" + id + ": expected " + c + "x" + h + "x" + w + " = "
                        + len + " floats (NCHW, the model's input shape), got " + v.length);
            }
            for (float f : v) {
                if (!Float.isFinite(f)) {
                    throw new IllegalArgumentException("Image id=" + id + ": the image holds " + f
                            + "; every value must be finite");
                }
            }
        }
        System.arraycopy(v, 0, batch, i * len, len);
    }

    /** @return the NCHW batch of the first {@code n} examples of {@code values} */
    INDArray batch(float[] values, int n) {
        float[] exact = values.length == n * imageLength() ? values : Arrays.copyOf(values, (int) (n * imageLength()));
        return Nd4j.create(exact, new long[] {n, c, h, w}, 'c');
    }
}
