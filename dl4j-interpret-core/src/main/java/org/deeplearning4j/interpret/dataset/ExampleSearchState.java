package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.internal.Seeds;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mergeable state of an {@link ExampleSearch}: per unit the k best (and, if asked, the k lowest) values seen so
 * far and a random sample, each entry a value, the example's global id and the feature-map position of the value;
 * no images. A search over part of a dataset ({@link ExampleSearch#update}) gives a partial state; partial states
 * of disjoint parts combine with {@link #merge}, which is associative and commutative, so any grouping of the parts
 * (a Spark {@code treeReduce}, a loop over files) gives exactly the state of one search over the whole dataset.
 *
 * <p><b>Order.</b> Top entries are ordered by value, then by global id (the smaller id wins a tie); bottom entries
 * the same with the value reversed. The random sample is the {@code n} examples with the smallest
 * {@code mix(seed, id)} hash (a bottom-k sample): uniform over the ids, seeded, and the same whichever part an
 * example came from.
 *
 * <p>Serializable (Java serialization uses the compact binary form of {@link #write(DataOutput)}); not thread-safe.
 */
public final class ExampleSearchState implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x444C5353; // "DLSS"
    private static final int VERSION = 1;

    /** One retained value: an example's id, the unit's value on it, and where in the feature map it was taken. */
    public static final class Entry {
        private final double value;
        private final long id;
        private final int y;
        private final int x;
        private final long key;

        Entry(double value, long id, int y, int x, long key) {
            this.value = value;
            this.id = id;
            this.y = y;
            this.x = x;
            this.key = key;
        }

        /** @return the unit's value on the example */
        public double value() {
            return value;
        }

        /** @return the example's global id */
        public long id() {
            return id;
        }

        /** @return feature-map row of the value */
        public int y() {
            return y;
        }

        /** @return feature-map column of the value */
        public int x() {
            return x;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Entry)) {
                return false;
            }
            Entry e = (Entry) o;
            return Double.compare(value, e.value) == 0 && id == e.id && y == e.y && x == e.x;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id) * 31 + Double.hashCode(value);
        }

        @Override
        public String toString() {
            return "#" + id + "=" + value + "@(" + y + "," + x + ")";
        }
    }

    /** Best first for the top lists: higher value, then smaller id. */
    static final Comparator<Entry> TOP = (a, b) -> {
        int c = Double.compare(b.value, a.value);
        return c != 0 ? c : Long.compare(a.id, b.id);
    };
    /** Best first for the bottom lists: lower value, then smaller id. */
    static final Comparator<Entry> BOTTOM = (a, b) -> {
        int c = Double.compare(a.value, b.value);
        return c != 0 ? c : Long.compare(a.id, b.id);
    };
    /** Best first for the random sample: smaller hash, then smaller id. */
    static final Comparator<Entry> SAMPLE = (a, b) -> {
        int c = Long.compare(a.key, b.key);
        return c != 0 ? c : Long.compare(a.id, b.id);
    };

    private final List<Unit> units;
    private final int k;
    private final boolean keepBottom;
    private final int sampleSize;
    private final long seed;
    private final ExampleSearch.Reduction reduction;
    private long examples;
    /** Per unit, heaps with the entry to evict first at the head (the worst retained one). */
    private final List<PriorityQueue<Entry>> top = new ArrayList<>();
    private final List<PriorityQueue<Entry>> bottom = new ArrayList<>();
    private final List<PriorityQueue<Entry>> sample = new ArrayList<>();

    ExampleSearchState(List<Unit> units, int k, boolean keepBottom, int sampleSize, long seed,
            ExampleSearch.Reduction reduction) {
        this.units = List.copyOf(units);
        this.k = k;
        this.keepBottom = keepBottom;
        this.sampleSize = sampleSize;
        this.seed = seed;
        this.reduction = reduction;
        for (int i = 0; i < units.size(); i++) {
            top.add(new PriorityQueue<>(TOP.reversed()));
            bottom.add(new PriorityQueue<>(BOTTOM.reversed()));
            sample.add(new PriorityQueue<>(SAMPLE.reversed()));
        }
    }

    /** @return the searched units, in request order */
    public List<Unit> units() {
        return units;
    }

    /** @return the number of examples this state has seen */
    public long examples() {
        return examples;
    }

    /** @return examples kept per unit */
    public int k() {
        return k;
    }

    /**
     * @param unitIndex position in {@link #units()}
     * @return the top entries, best first
     */
    public List<Entry> top(int unitIndex) {
        return sorted(top.get(unitIndex), TOP);
    }

    /**
     * @param unitIndex position in {@link #units()}
     * @return the bottom entries, lowest first (empty unless kept)
     */
    public List<Entry> bottom(int unitIndex) {
        return sorted(bottom.get(unitIndex), BOTTOM);
    }

    /**
     * @param unitIndex position in {@link #units()}
     * @return the random sample, in hash order
     */
    public List<Entry> sample(int unitIndex) {
        return sorted(sample.get(unitIndex), SAMPLE);
    }

    private static List<Entry> sorted(PriorityQueue<Entry> heap, Comparator<Entry> order) {
        List<Entry> l = new ArrayList<>(heap);
        l.sort(order);
        return Collections.unmodifiableList(l);
    }

    /** @return the ids of every retained example (whose images the final crops are cut from), ascending */
    public Set<Long> retainedIds() {
        TreeSet<Long> ids = new TreeSet<>();
        for (List<PriorityQueue<Entry>> lists : List.of(top, bottom, sample)) {
            for (PriorityQueue<Entry> q : lists) {
                for (Entry e : q) {
                    ids.add(e.id);
                }
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    /** @return the hash that orders the random sample */
    long sampleKey(long id) {
        return Seeds.mix(seed, id);
    }

    /** Offers one example's value for the unit at {@code unitIndex}. */
    void offer(int unitIndex, double value, long id, int y, int x) {
        long key = sampleSize > 0 ? sampleKey(id) : 0;
        offer(unitIndex, new Entry(value, id, y, x, key));
    }

    private void offer(int u, Entry e) {
        offerTo(top.get(u), e, TOP, k);
        if (keepBottom) {
            offerTo(bottom.get(u), e, BOTTOM, k);
        }
        if (sampleSize > 0) {
            offerTo(sample.get(u), e, SAMPLE, sampleSize);
        }
    }

    private static void offerTo(PriorityQueue<Entry> heap, Entry e, Comparator<Entry> bestFirst, int cap) {
        if (heap.size() < cap) {
            heap.add(e);
        } else if (bestFirst.compare(e, heap.peek()) < 0) {
            heap.poll();
            heap.add(e);
        }
    }

    void countExamples(long n) {
        examples += n;
    }

    /**
     * Combines two states of disjoint parts of a dataset. Neither state changes.
     *
     * @param other a state of the same search (same units and options) over other examples
     * @return the state of the union
     * @throws IllegalArgumentException if the states come from different searches
     */
    public ExampleSearchState merge(ExampleSearchState other) {
        checkCompatible(other);
        ExampleSearchState out = new ExampleSearchState(units, k, keepBottom, sampleSize, seed, reduction);
        out.examples = examples + other.examples;
        for (ExampleSearchState s : List.of(this, other)) {
            for (int u = 0; u < units.size(); u++) {
                for (Entry e : s.top.get(u)) {
                    offerTo(out.top.get(u), e, TOP, k);
                }
                for (Entry e : s.bottom.get(u)) {
                    offerTo(out.bottom.get(u), e, BOTTOM, k);
                }
                for (Entry e : s.sample.get(u)) {
                    offerTo(out.sample.get(u), e, SAMPLE, sampleSize);
                }
            }
        }
        return out;
    }

    void checkCompatible(ExampleSearchState o) {
        if (!units.equals(o.units) || k != o.k || keepBottom != o.keepBottom || sampleSize != o.sampleSize
                || seed != o.seed || reduction != o.reduction) {
            throw new IllegalArgumentException("Cannot merge states of different searches: " + describe() + " vs "
                    + o.describe());
        }
    }

    String describe() {
        return units.size() + " units, k=" + k + ", bottom=" + keepBottom + ", random=" + sampleSize + ", seed="
                + seed + ", reduction=" + reduction;
    }

    /**
     * Writes the compact binary form: the options, then per unit and list the entries (value, id, row, column).
     *
     * @param out destination
     * @throws IOException on failure
     */
    public void write(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(k);
        out.writeBoolean(keepBottom);
        out.writeInt(sampleSize);
        out.writeLong(seed);
        out.writeUTF(reduction.name());
        out.writeLong(examples);
        out.writeInt(units.size());
        for (int u = 0; u < units.size(); u++) {
            Unit unit = units.get(u);
            out.writeUTF(unit.layer());
            out.writeInt(unit.channel());
            out.writeInt(unit.y());
            out.writeInt(unit.x());
            for (PriorityQueue<Entry> q : List.of(top.get(u), bottom.get(u), sample.get(u))) {
                out.writeInt(q.size());
                for (Entry e : q) {
                    out.writeDouble(e.value);
                    out.writeLong(e.id);
                    out.writeInt(e.y);
                    out.writeInt(e.x);
                }
            }
        }
    }

    /**
     * @param in a source positioned at a state written by {@link #write(DataOutput)}
     * @return the state
     * @throws IOException on failure or data of another format
     */
    public static ExampleSearchState read(DataInput in) throws IOException {
        int magic = in.readInt();
        int version = in.readInt();
        if (magic != MAGIC || version != VERSION) {
            throw new IOException("Not an example-search state (expected magic " + Integer.toHexString(MAGIC)
                    + " version " + VERSION + ", got " + Integer.toHexString(magic) + " version " + version + ")");
        }
        int k = in.readInt();
        boolean keepBottom = in.readBoolean();
        int sampleSize = in.readInt();
        long seed = in.readLong();
        ExampleSearch.Reduction reduction = ExampleSearch.Reduction.valueOf(in.readUTF());
        long examples = in.readLong();
        int n = in.readInt();
        List<Unit> units = new ArrayList<>();
        List<Entry[][]> lists = new ArrayList<>();
        for (int u = 0; u < n; u++) {
            String layer = in.readUTF();
            int c = in.readInt();
            int y = in.readInt();
            int x = in.readInt();
            units.add(y >= 0 ? Unit.neuron(layer, c, y, x) : Unit.channel(layer, c));
            Entry[][] three = new Entry[3][];
            for (int l = 0; l < 3; l++) {
                three[l] = new Entry[in.readInt()];
                for (int i = 0; i < three[l].length; i++) {
                    double value = in.readDouble();
                    long id = in.readLong();
                    int ey = in.readInt();
                    int ex = in.readInt();
                    three[l][i] = new Entry(value, id, ey, ex, Seeds.mix(seed, id));
                }
            }
            lists.add(three);
        }
        ExampleSearchState s = new ExampleSearchState(units, k, keepBottom, sampleSize, seed, reduction);
        s.examples = examples;
        for (int u = 0; u < n; u++) {
            s.top.get(u).addAll(Arrays.asList(lists.get(u)[0]));
            s.bottom.get(u).addAll(Arrays.asList(lists.get(u)[1]));
            s.sample.get(u).addAll(Arrays.asList(lists.get(u)[2]));
        }
        return s;
    }

    /** @return the binary form of {@link #write(DataOutput)} */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param bytes the output of {@link #toBytes()}
     * @return the state
     * @throws IllegalArgumentException if the bytes are not a state
     */
    public static ExampleSearchState fromBytes(byte[] bytes) {
        try {
            return read(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new IllegalArgumentException("Not an example-search state: " + e.getMessage(), e);
        }
    }

    /** Java serialization writes the compact binary form. */
    private Object writeReplace() {
        return new Proxy(toBytes());
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("ExampleSearchState is serialized through its proxy");
    }

    private static final class Proxy implements Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;

        Proxy(byte[] bytes) {
            this.bytes = bytes;
        }

        private Object readResolve() {
            return fromBytes(bytes);
        }
    }

    @Override
    public String toString() {
        return "ExampleSearchState[" + examples + " examples, " + describe() + "]";
    }
}
