package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.model.ReceptiveField;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of an {@link ExampleSearch}: per unit, the top-k hits (descending), the bottom-k (ascending, if asked)
 * and a random sample, each with its crop. Immutable; {@link #save(File)} and {@link #load(File)} persist it in a
 * compact binary file so a long search need not be repeated.
 */
public final class ExampleSearchResult {
    private static final int MAGIC = 0x444C4953; // "DLIS"
    private static final int VERSION = 1;

    private final Map<Unit, List<Hit>> top;
    private final Map<Unit, List<Hit>> bottom;
    private final Map<Unit, List<Hit>> random;
    private final long examples;
    private final Map<String, String> options;

    ExampleSearchResult(Map<Unit, List<Hit>> top, Map<Unit, List<Hit>> bottom, Map<Unit, List<Hit>> random,
            long examples, Map<String, String> options) {
        this.top = freeze(top);
        this.bottom = freeze(bottom);
        this.random = freeze(random);
        this.examples = examples;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    private static Map<Unit, List<Hit>> freeze(Map<Unit, List<Hit>> m) {
        Map<Unit, List<Hit>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    /** @return the searched units, in request order */
    public Set<Unit> units() {
        return top.keySet();
    }

    /**
     * @param u unit
     * @return its top-k hits, highest first
     */
    public List<Hit> top(Unit u) {
        return get(top, u);
    }

    /**
     * @param u unit
     * @return its bottom-k hits, lowest first (empty unless requested)
     */
    public List<Hit> bottom(Unit u) {
        return get(bottom, u);
    }

    /**
     * @param u unit
     * @return its random sample
     */
    public List<Hit> random(Unit u) {
        return get(random, u);
    }

    private static List<Hit> get(Map<Unit, List<Hit>> m, Unit u) {
        List<Hit> l = m.get(u);
        if (l == null) {
            throw new IllegalArgumentException("Unit " + u + " was not searched; searched units: " + m.keySet());
        }
        return l;
    }

    /** @return the number of examples streamed */
    public long examples() {
        return examples;
    }

    /** @return the search options */
    public Map<String, String> options() {
        return options;
    }

    /**
     * @return the number of values held in memory for the crops; crops of one example share its image, so this is
     *         bounded by the distinct examples kept (at most k x units), independent of the dataset length
     */
    public long retainedValues() {
        Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long n = 0;
        for (Map<Unit, List<Hit>> m : List.of(top, bottom, random)) {
            for (List<Hit> l : m.values()) {
                for (Hit h : l) {
                    org.nd4j.linalg.api.buffer.DataBuffer b = h.cropRef().data();
                    org.nd4j.linalg.api.buffer.DataBuffer base = b.originalDataBuffer() != null
                            ? b.originalDataBuffer() : b;
                    if (seen.add(base)) {
                        n += base.length();
                    }
                }
            }
        }
        return n;
    }

    /**
     * Writes the result atomically.
     *
     * @param file destination
     * @throws IOException on failure
     */
    public void save(File file) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("Cannot create directory " + parent);
        }
        File tmp = new File(file.getPath() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(tmp)))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(examples);
            out.writeInt(options.size());
            for (Map.Entry<String, String> e : options.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(top.size());
            for (Unit u : top.keySet()) {
                out.writeUTF(u.layer());
                out.writeInt(u.channel());
                out.writeInt(u.y());
                out.writeInt(u.x());
                for (Map<Unit, List<Hit>> m : List.of(top, bottom, random)) {
                    List<Hit> hits = m.get(u);
                    out.writeInt(hits.size());
                    for (Hit h : hits) {
                        writeHit(out, h);
                    }
                }
            }
        }
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeHit(DataOutputStream out, Hit h) throws IOException {
        out.writeLong(h.index());
        out.writeDouble(h.value());
        out.writeInt(h.y());
        out.writeInt(h.x());
        ReceptiveField f = h.field();
        out.writeLong(f.top());
        out.writeLong(f.left());
        out.writeLong(f.height());
        out.writeLong(f.width());
        INDArray c = h.cropRef();
        out.writeInt(c.rank());
        for (long s : c.shape()) {
            out.writeLong(s);
        }
        for (float v : c.castTo(DataType.FLOAT).dup('c').data().asFloat()) {
            out.writeFloat(v);
        }
    }

    /**
     * @param file a file written by {@link #save(File)}
     * @return the result (crops in FLOAT)
     * @throws IOException on failure or a file of another format
     */
    public static ExampleSearchResult load(File file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException(file + " is not an example-search result (version " + VERSION + ")");
            }
            long examples = in.readLong();
            Map<String, String> opts = new LinkedHashMap<>();
            int no = in.readInt();
            for (int i = 0; i < no; i++) {
                opts.put(in.readUTF(), in.readUTF());
            }
            int units = in.readInt();
            List<Map<Unit, List<Hit>>> maps = List.of(new LinkedHashMap<>(), new LinkedHashMap<>(),
                    new LinkedHashMap<>());
            for (int i = 0; i < units; i++) {
                String layer = in.readUTF();
                int c = in.readInt();
                int y = in.readInt();
                int x = in.readInt();
                Unit u = y >= 0 ? Unit.neuron(layer, c, y, x) : Unit.channel(layer, c);
                for (Map<Unit, List<Hit>> m : maps) {
                    int n = in.readInt();
                    List<Hit> hits = new ArrayList<>();
                    for (int j = 0; j < n; j++) {
                        hits.add(readHit(in));
                    }
                    m.put(u, hits);
                }
            }
            return new ExampleSearchResult(maps.get(0), maps.get(1), maps.get(2), examples, opts);
        }
    }

    private static Hit readHit(DataInputStream in) throws IOException {
        long index = in.readLong();
        double value = in.readDouble();
        int y = in.readInt();
        int x = in.readInt();
        ReceptiveField f = new ReceptiveField(in.readLong(), in.readLong(), in.readLong(), in.readLong());
        int rank = in.readInt();
        long[] shape = new long[rank];
        long len = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readLong();
            len *= shape[i];
        }
        float[] v = new float[(int) len];
        for (int i = 0; i < len; i++) {
            v[i] = in.readFloat();
        }
        return new Hit(index, value, y, x, f, Nd4j.createFromArray(v).reshape('c', shape));
    }

    @Override
    public String toString() {
        return "ExampleSearchResult[" + top.size() + " units, " + examples + " examples, " + options + "]";
    }
}
