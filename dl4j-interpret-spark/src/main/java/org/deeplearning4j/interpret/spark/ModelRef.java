package org.deeplearning4j.interpret.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.autodiff.samediff.SameDiff;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A serializable reference to a model that Spark ships to its executors: the model's bytes (a DL4J
 * {@code ModelSerializer} zip or a SameDiff file) or the URI of such a file on any Hadoop filesystem, together with
 * the {@link InputSpec} and the batch size. Each executor task thread opens it once ({@link ModelPool}); the SHA-256
 * of the model's content is part of the pool key, and a file behind a URI that no longer has the checksum seen on the driver
 * is refused rather than silently interpreted.
 *
 * <pre>{@code
 * ModelRef ref = ModelRef.of(net, InputSpec.builder().shape(1, 28, 28).build()).withMaxBatchSize(32);
 * ModelRef big = ModelRef.fromUri("hdfs:///models/vgg16.zip", spark.sparkContext().hadoopConfiguration(), spec);
 * }</pre>
 */
public final class ModelRef implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The default number of examples per batch on an executor. */
    public static final int DEFAULT_BATCH_SIZE = Models.DEFAULT_MAX_BATCH_SIZE;

    /** What the bytes hold. */
    public enum Format { DL4J, SAMEDIFF }

    private final Format format;
    private final String name;
    private final byte[] bytes;
    private final String uri;
    private final HadoopConf conf;
    private final String checksum;
    private final InputSpec spec;
    private final int batchSize;
    private final String inputVariable;
    private final String logitsVariable;
    private final String[] layers;

    private ModelRef(Format format, String name, byte[] bytes, String uri, HadoopConf conf, String checksum,
            InputSpec spec, int batchSize, String inputVariable, String logitsVariable, String[] layers) {
        this.format = format;
        this.name = name;
        this.bytes = bytes;
        this.uri = uri;
        this.conf = conf;
        this.checksum = checksum;
        this.spec = spec;
        this.batchSize = batchSize;
        this.inputVariable = inputVariable;
        this.logitsVariable = logitsVariable;
        this.layers = layers;
    }

    /**
     * @param network a MultiLayerNetwork or ComputationGraph (serialized without its updater; never modified)
     * @param spec the input shape and preprocessing (null: read from the configuration where it can be)
     * @return a reference that carries the model's bytes
     */
    public static ModelRef of(org.deeplearning4j.nn.api.Model network, InputSpec spec) {
        if (network == null) {
            throw new IllegalArgumentException("network is null");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(network, out, false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialize the network: " + e.getMessage(), e);
        }
        byte[] b = out.toByteArray();
        return new ModelRef(Format.DL4J, network.getClass().getSimpleName(), b, null, null, checksum(b, Format.DL4J), spec,
                DEFAULT_BATCH_SIZE, null, null, null);
    }

    /**
     * @param dl4jZip a model saved by {@code net.save(file)} or {@code ModelSerializer}
     * @param spec the input shape and preprocessing (null: read from the configuration where it can be)
     * @return a reference that carries the file's bytes
     * @throws IOException if the file cannot be read
     */
    public static ModelRef of(File dl4jZip, InputSpec spec) throws IOException {
        if (dl4jZip == null || !dl4jZip.isFile()) {
            throw new IOException("Model file not found: " + (dl4jZip == null ? "null" : dl4jZip.getAbsolutePath()));
        }
        byte[] b = Files.readAllBytes(dl4jZip.toPath());
        return new ModelRef(Format.DL4J, dl4jZip.getName(), b, null, null, checksum(b, Format.DL4J), spec,
                DEFAULT_BATCH_SIZE, null,
                null, null);
    }

    /**
     * A DL4J model zip on any Hadoop filesystem ({@code hdfs://}, {@code s3a://}, {@code file:/}), read by each
     * executor. The driver reads it once here for its checksum.
     *
     * @param uri the file's URI
     * @param conf the Hadoop configuration to open it with (e.g. {@code sparkContext().hadoopConfiguration()})
     * @param spec the input shape and preprocessing (null: read from the configuration where it can be)
     * @return a reference that carries the URI and checksum
     * @throws IOException if the file cannot be read
     */
    public static ModelRef fromUri(String uri, Configuration conf, InputSpec spec) throws IOException {
        return fromUri(Format.DL4J, uri, conf, spec, null, null, null);
    }

    /**
     * @param sd a SameDiff graph (saved without updater state; never modified)
     * @param inputVariable the NCHW image placeholder
     * @param logitsVariable the pre-softmax class scores
     * @param spec the input shape and preprocessing
     * @param layers hidden variables to expose as layers (none: every op output)
     * @return a reference that carries the graph's bytes
     */
    public static ModelRef ofSameDiff(SameDiff sd, String inputVariable, String logitsVariable, InputSpec spec,
            String... layers) {
        if (sd == null || inputVariable == null || logitsVariable == null) {
            throw new IllegalArgumentException("SameDiff graph, input and logits variable must be given");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sd.save(out, false);
        byte[] b = out.toByteArray();
        return new ModelRef(Format.SAMEDIFF, "samediff", b, null, null, checksum(b, Format.SAMEDIFF), spec,
                DEFAULT_BATCH_SIZE,
                inputVariable, logitsVariable, layers.clone());
    }

    /**
     * A SameDiff file on any Hadoop filesystem.
     *
     * @param uri the file's URI
     * @param conf the Hadoop configuration to open it with
     * @param inputVariable the NCHW image placeholder
     * @param logitsVariable the pre-softmax class scores
     * @param spec the input shape and preprocessing
     * @param layers hidden variables to expose as layers (none: every op output)
     * @return a reference that carries the URI and checksum
     * @throws IOException if the file cannot be read
     */
    public static ModelRef sameDiffFromUri(String uri, Configuration conf, String inputVariable,
            String logitsVariable, InputSpec spec, String... layers) throws IOException {
        if (inputVariable == null || logitsVariable == null) {
            throw new IllegalArgumentException("The input and logits variable must be given");
        }
        return fromUri(Format.SAMEDIFF, uri, conf, spec, inputVariable, logitsVariable, layers.clone());
    }

    private static ModelRef fromUri(Format format, String uri, Configuration conf, InputSpec spec, String in,
            String logits, String[] layers) throws IOException {
        if (uri == null || conf == null) {
            throw new IllegalArgumentException("uri and Hadoop configuration must be given");
        }
        HadoopConf hc = new HadoopConf(conf);
        byte[] b = read(uri, hc);
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        return new ModelRef(format, name, null, uri, hc, checksum(b, format), spec, DEFAULT_BATCH_SIZE, in, logits,
                layers);
    }

    /**
     * @param n examples per batch on an executor (also the model's chunk size)
     * @return a copy with that batch size
     */
    public ModelRef withMaxBatchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        }
        return new ModelRef(format, name, bytes, uri, conf, checksum, spec, n, inputVariable, logitsVariable, layers);
    }

    /** @return examples per batch */
    public int maxBatchSize() {
        return batchSize;
    }

    /** @return the SHA-256 of the model's bytes (hex) */
    public String checksum() {
        return checksum;
    }

    /** @return a short name for logs: the file name or the network class */
    public String name() {
        return name;
    }

    /** @return the input spec given, or null */
    public InputSpec inputSpec() {
        return spec;
    }

    /** The pool key: the same bytes opened with the same options give the same key. */
    String key() {
        return checksum + "|" + format + "|" + batchSize + "|" + spec + "|" + inputVariable + "|" + logitsVariable
                + "|" + Arrays.toString(layers);
    }

    /**
     * Opens a fresh copy of the model (the {@link ModelPool} calls this once per task thread).
     *
     * @return the model, ready for interpretation
     * @throws IllegalStateException if the model cannot be read or a URI's file changed since the driver read it
     */
    InterpretableModel open() {
        byte[] b = bytes;
        try {
            if (b == null) {
                b = read(uri, conf);
                String now = checksum(b, format);
                if (!now.equals(checksum)) {
                    throw new IllegalStateException("Model " + uri + " changed after the job started (SHA-256 "
                            + checksum + " on the driver, " + now + " on this executor): write models to new paths "
                            + "instead of overwriting them");
                }
            }
            File tmp = Files.createTempFile("dl4j-interpret-model", format == Format.DL4J ? ".zip" : ".sd").toFile();
            try {
                Files.write(tmp.toPath(), b);
                if (format == Format.SAMEDIFF) {
                    SameDiff sd = SameDiff.load(tmp, false);
                    Models.SameDiffBuilder sb = Models.builder(sd, inputVariable, logitsVariable).maxBatchSize(batchSize);
                    if (layers != null && layers.length > 0) {
                        sb.layers(layers);
                    }
                    if (spec != null) {
                        sb.inputSpec(spec);
                    }
                    return sb.build();
                }
                Models.Builder mb = Models.builder(Models.load(tmp)).maxBatchSize(batchSize);
                if (spec != null) {
                    mb.inputSpec(spec);
                }
                return mb.build();
            } finally {
                Files.deleteIfExists(tmp.toPath());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot open model " + name + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(String uri, HadoopConf conf) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf.get());
        try (FSDataInputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /**
     * The SHA-256 of a model's content. For a DL4J zip that is the names and bytes of its entries in name order, not
     * the zip's own bytes, which hold the time of writing: the same network serialized twice has one checksum (and
     * one copy per executor thread).
     */
    static String checksum(byte[] b, Format format) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            if (format == Format.SAMEDIFF) {
                return HexFormat.of().formatHex(md.digest(b));
            }
            java.util.TreeMap<String, byte[]> entries = new java.util.TreeMap<>();
            try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(
                    new java.io.ByteArrayInputStream(b))) {
                for (java.util.zip.ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    entries.put(e.getName(), zip.readAllBytes());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("Not a DL4J model zip: " + e.getMessage(), e);
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("Not a DL4J model zip (" + b.length + " bytes, no entries)");
            }
            for (java.util.Map.Entry<String, byte[]> e : entries.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(java.nio.ByteBuffer.allocate(8).putLong(e.getValue().length).array());
                md.update(e.getValue());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelRef && key().equals(((ModelRef) o).key()) && Objects.equals(uri, ((ModelRef) o).uri);
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return "ModelRef[" + name + ", " + format + (uri != null ? ", " + uri : ", " + bytes.length + " bytes")
                + ", sha256 " + checksum.substring(0, 12) + ", batch " + batchSize + "]";
    }
}
