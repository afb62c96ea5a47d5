package org.deeplearning4j.interpret.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Minimal NumPy {@code .npy} (format 1.0) writer and reader for float32/float64 arrays in C order, so that Python
 * users can {@code numpy.load} our raw attributions. Written atomically (temp file, then rename).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Header plus padding is a multiple of this (NumPy's alignment rule). */
    private static final int ALIGN = 64;

    private Npy() {
    }

    /**
     * @param array float or double array (other types are written as float64)
     * @param file destination; parent directories are created
     * @throws IOException on write failure
     */
    public static void write(INDArray array, File file) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("Cannot create directory " + parent);
        }
        File tmp = new File(file.getPath() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(tmp))) {
            write(array, out);
        }
        if (!tmp.renameTo(file)) {
            java.nio.file.Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Writes the .npy bytes to a stream (e.g. a Hadoop filesystem's); the stream is not closed.
     *
     * @param array float or double array (other types are written as float64)
     * @param out destination
     * @throws IOException on write failure
     */
    public static void write(INDArray array, OutputStream out) throws IOException {
        boolean f32 = array.dataType() == DataType.FLOAT;
        INDArray a = (f32 ? array : array.castTo(DataType.DOUBLE)).dup('c');
        if (a.length() > Integer.MAX_VALUE / 8) {
            throw new IOException("Array too large for .npy export: " + a.length() + " elements");
        }
        String shape = Arrays.stream(a.shape()).mapToObj(Long::toString)
                .reduce((x, y) -> x + ", " + y).orElse("");
        if (a.rank() == 1) {
            shape += ",";
        }
        String dict = "{'descr': '" + (f32 ? "<f4" : "<f8") + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int base = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (ALIGN - base % ALIGN) % ALIGN;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(pad)).append('\n');
        byte[] hb = header.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(MAGIC);
        out.write(new byte[] {1, 0, (byte) (hb.length & 0xff), (byte) (hb.length >> 8)});
        out.write(hb);
        ByteBuffer buf;
        if (f32) {
            float[] v = a.data().asFloat();
            buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
        } else {
            double[] v = a.data().asDouble();
            buf = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            buf.asDoubleBuffer().put(v);
        }
        out.write(buf.array());
        out.flush();
    }

    /**
     * Reads a file written by {@link #write(INDArray, File)} (little-endian f4/f8, C order).
     *
     * @param file the .npy file
     * @return the array
     * @throws IOException on read failure or an unsupported header
     */
    public static INDArray read(File file) throws IOException {
        try (InputStream in = new FileInputStream(file); DataInputStream d = new DataInputStream(in)) {
            byte[] magic = new byte[6];
            d.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a .npy file");
            }
            d.readUnsignedByte();
            d.readUnsignedByte();
            int len = d.readUnsignedByte() | (d.readUnsignedByte() << 8);
            byte[] hb = new byte[len];
            d.readFully(hb);
            String h = new String(hb, StandardCharsets.US_ASCII);
            boolean f32 = h.contains("'<f4'");
            if (!f32 && !h.contains("'<f8'") || h.contains("'fortran_order': True")) {
                throw new IOException("Unsupported .npy header: " + h.trim());
            }
            String dims = h.substring(h.indexOf("'shape': (") + 10, h.indexOf(")", h.indexOf("'shape': (")));
            long[] shape = Arrays.stream(dims.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToLong(Long::parseLong).toArray();
            long n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
            byte[] data = d.readAllBytes();
            ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            if (f32) {
                float[] v = new float[(int) n];
                bb.asFloatBuffer().get(v);
                return org.nd4j.linalg.factory.Nd4j.createFromArray(v).reshape('c', shape);
            }
            double[] v = new double[(int) n];
            bb.asDoubleBuffer().get(v);
            return org.nd4j.linalg.factory.Nd4j.createFromArray(v).reshape('c', shape);
        }
    }
}
