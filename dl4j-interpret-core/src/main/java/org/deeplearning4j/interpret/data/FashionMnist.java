package org.deeplearning4j.interpret.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017, arXiv:1708.07747) from the standard IDX files, gzipped or
 * not, from a local folder: nothing is downloaded. The default folder is where Debian's
 * {@code dataset-fashion-mnist} package puts them. Images come as {@code [N, 1, 28, 28]} FLOAT in [0, 1].
 */
public final class FashionMnist {
    /** Where Debian's dataset-fashion-mnist package installs the files. */
    public static final File DEFAULT_DIR = new File("/usr/share/datasets/fashion-mnist");
    /** Class names, by label. */
    public static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
        "Shirt", "Sneaker", "Bag", "Ankle boot"};
    private static final int IMAGES_MAGIC = 2051;
    private static final int LABELS_MAGIC = 2049;

    private FashionMnist() {
    }

    /** @return true if the default folder holds the test files */
    public static boolean available() {
        return find(DEFAULT_DIR, "t10k-images-idx3-ubyte") != null;
    }

    /**
     * @param dir folder with {@code train-*} and {@code t10k-*} IDX files (optionally .gz)
     * @param train the 60,000 training images, else the 10,000 test images
     * @param limit read at most this many examples
     * @return features {@code [N, 1, 28, 28]} in [0, 1] and one-hot labels {@code [N, 10]}
     * @throws IOException if the files are missing or malformed; the message names the folder and files expected
     */
    public static DataSet load(File dir, boolean train, int limit) throws IOException {
        String prefix = train ? "train" : "t10k";
        File images = find(dir, prefix + "-images-idx3-ubyte");
        File labels = find(dir, prefix + "-labels-idx1-ubyte");
        if (images == null || labels == null) {
            throw new IOException("Fashion-MNIST files " + prefix + "-images-idx3-ubyte[.gz] and " + prefix
                    + "-labels-idx1-ubyte[.gz] not found in " + dir + "; install Debian's dataset-fashion-mnist or "
                    + "pass the folder holding the IDX files");
        }
        try (DataInputStream in = open(images); DataInputStream lin = open(labels)) {
            if (in.readInt() != IMAGES_MAGIC || lin.readInt() != LABELS_MAGIC) {
                throw new IOException("Not Fashion-MNIST IDX files: " + images + ", " + labels);
            }
            int n = Math.min(limit, in.readInt());
            int nl = lin.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (nl < n) {
                throw new IOException("Label file has " + nl + " labels for " + n + " images");
            }
            byte[] pix = new byte[n * rows * cols];
            in.readFully(pix);
            byte[] lab = new byte[n];
            lin.readFully(lab);
            float[] f = new float[pix.length];
            for (int i = 0; i < pix.length; i++) {
                f[i] = (pix[i] & 0xff) / 255f;
            }
            INDArray x = Nd4j.createFromArray(f).reshape('c', n, 1, rows, cols);
            INDArray y = Nd4j.zeros(DataType.FLOAT, n, CLASS_NAMES.length);
            for (int i = 0; i < n; i++) {
                y.putScalar(i, lab[i] & 0xff, 1.0);
            }
            return new DataSet(x, y);
        }
    }

    private static File find(File dir, String base) {
        for (String name : new String[] {base, base + ".gz"}) {
            File f = new File(dir, name);
            if (f.isFile()) {
                return f;
            }
        }
        return null;
    }

    private static DataInputStream open(File f) throws IOException {
        InputStream raw = new BufferedInputStream(new FileInputStream(f));
        return new DataInputStream(f.getName().endsWith(".gz") ? new GZIPInputStream(raw) : raw);
    }
}
