package org.deeplearning4j.interpret.internal;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs SameDiff graphs so that a call's result never depends on earlier calls. Internal: not API.
 *
 * <p>M2.1's {@code InferenceSession} hands every op its output arrays from an {@code ArrayCacheMemoryMgr} that gives
 * out again, by shape, any array released earlier, in this execution or a previous one. A released array can still
 * be reachable through a view (reshape, permute, slice) that a later op reads, and a view can itself be released and
 * recycled although it writes into another array's memory (later ND4J versions count buffer references for this
 * reason). After a particular history of batch sizes an op overwrote memory that another op still needed: on a
 * VGG-like CNN, {@code gradient(batch 16)}, {@code logits(batch 16)}, then {@code gradient(batch 32)} gave a gradient
 * 98% away from the true one (verified; the same call on a fresh session is right).
 *
 * <p>Every session the library runs therefore uses {@link RecyclingArrays}: an array released during a call is
 * reused only in a <i>later</i> call, when nothing of the earlier call can read it any more, and only if this
 * manager allocated its whole buffer (views and aliases are never recycled). An output is returned as it is only when
 * the manager allocated its whole buffer in this call and nothing sharing that buffer was released (so it can never
 * be recycled); any other output is copied, so a recycled buffer can never be a caller's result. Within one call
 * nothing is reused, which costs memory on large batches (BENCHMARKS.md) but never a result.
 *
 * <p>A session also keeps, after a call, every value the call computed and an op context per op that still points at
 * its last input and output arrays; M2.1 drops them only when the next call starts. Kept across the calls of a
 * chunked method, they held the native memory of every finished chunk out of the garbage collector's reach (ND4J's
 * CPU buffers are freed only when their Java objects are collected): integrated gradients on ResNet50 grew from
 * 3.8 GB resident with 50 steps to 9.4 GB with 400. So every call runs in a new session, and afterwards the thread's
 * entry holds an empty session that carries only the {@link RecyclingArrays} on to the next call.
 */
public final class SameDiffSessions {
    private SameDiffSessions() {
    }

    /**
     * {@code sd.output(feeds, names)} in the calling thread's session of {@code sd}, with {@link RecyclingArrays}
     * installed and a new call started (arrays released by earlier calls become reusable); every output is the
     * caller's own (copied unless only this call allocated and held it).
     * The native garbage of earlier work is collected first when it has grown large ({@link NativeMemory}).
     *
     * @param sd a graph owned by the library
     * @param feeds placeholder values
     * @param names variables to compute
     * @return the computed arrays, owned by the caller
     */
    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> feeds, String... names) {
        NativeMemory.reclaim();
        RecyclingArrays arrays = startCall(sd);
        try {
            Map<String, INDArray> out = sd.output(feeds, names);
            // the caller owns its results: an output that can share memory with an array the session recycles later
            // (a view, an alias of something released) is copied; one this call allocated whole and never released
            // is handed over as it is (a copy of each output touched fresh native memory, which costs microseconds
            // per page on a virtual machine)
            java.util.Set<Long> handedOver = new java.util.HashSet<>();
            out.replaceAll((k, v) -> v == null ? null
                    : arrays.ownsWhole(v) && handedOver.add(v.data().address()) ? v : v.dup());
            return out;
        } finally {
            // nothing of this call stays reachable from the graph (a failed call leaves no state behind either)
            park(sd, arrays);
        }
    }

    /**
     * @param sd a graph
     * @return its ops in an order where every op comes after the ops whose outputs it reads (insertion order where
     *         that already holds; graphs edited after import append ops out of order)
     */
    public static java.util.List<org.nd4j.autodiff.samediff.internal.SameDiffOp> opsInOrder(SameDiff sd) {
        java.util.List<org.nd4j.autodiff.samediff.internal.SameDiffOp> all = new java.util.ArrayList<>(
                sd.getOps().values());
        int n = all.size();
        Map<String, Integer> producer = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            java.util.List<String> outs = all.get(i).getOutputsOfOp();
            if (outs != null) {
                for (String o : outs) {
                    producer.put(o, i);
                }
            }
        }
        int[] pending = new int[n];
        java.util.List<java.util.List<Integer>> consumers = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            consumers.add(new java.util.ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            java.util.List<String> ins = all.get(i).getInputsToOp();
            if (ins == null) {
                continue;
            }
            for (String in : new java.util.LinkedHashSet<>(ins)) {
                Integer p = producer.get(in);
                if (p != null && p != i) {
                    pending[i]++;
                    consumers.get(p).add(i);
                }
            }
        }
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        java.util.List<org.nd4j.autodiff.samediff.internal.SameDiffOp> out = new java.util.ArrayList<>(n);
        boolean[] done = new boolean[n];
        while (!ready.isEmpty()) {
            int i = ready.poll();
            done[i] = true;
            out.add(all.get(i));
            for (int c : consumers.get(i)) {
                if (--pending[c] == 0) {
                    ready.add(c);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!done[i]) {
                out.add(all.get(i)); // a cycle (control flow): keep insertion order for the rest
            }
        }
        return out;
    }

    /**
     * A copy of a graph's structure (ops, variables, arrays) without the training state that a graph in the middle
     * of {@code sd.fit(...)} carries: through its FlatBuffers form, which leaves the training gradient function
     * behind, or, when that form cannot be read back (M2.1's reader knows no {@code maxpool2d_bp} and similar ops
     * of a gradient function), through {@code dup()}; the caller moves training artefacts out of the way.
     *
     * @param sd a graph (not modified)
     * @return the copy
     */
    public static SameDiff copyStructure(SameDiff sd) {
        try {
            return SameDiff.fromFlatBuffers(sd.asFlatBuffers(false));
        } catch (java.io.IOException | RuntimeException e) {
            return sd.dup();
        }
    }

    /** Installs a new session for this thread's call, carrying the thread's recycler on, and starts a new call. */
    private static RecyclingArrays startCall(SameDiff sd) {
        InferenceSession previous = sd.getSessions().get(Thread.currentThread().getId());
        RecyclingArrays arrays = previous != null && previous.getMmgr() instanceof RecyclingArrays
                ? (RecyclingArrays) previous.getMmgr() : new RecyclingArrays();
        park(sd, arrays);
        arrays.newCall();
        return arrays;
    }

    /** Replaces this thread's session by an empty one that holds nothing but the recycler. */
    private static void park(SameDiff sd, RecyclingArrays arrays) {
        InferenceSession empty = new InferenceSession(sd);
        empty.setMmgr(arrays);
        sd.getSessions().put(Thread.currentThread().getId(), empty);
    }

    /**
     * Reuses arrays in later calls only, and only arrays whose whole buffer this manager allocated, one array per
     * buffer: an op may return a view or an alias (reshape, permute) of another array, of a weight or of the input,
     * and such memory must never be handed out again. At most a quarter of JavaCPP's memory limit waits for reuse
     * (as M2.1's own cache); beyond that the oldest are freed.
     */
    static final class RecyclingArrays extends AbstractMemoryMgr {
        /** Default cap on the memory kept for reuse between calls. */
        static final long MAX_FREE_BYTES = Math.max(256L << 20, org.bytedeco.javacpp.Pointer.maxBytes() / 4);

        private final long maxFreeBytes;

        private final Map<String, Deque<INDArray>> free = new HashMap<>();
        private final Deque<INDArray> freeOrder = new ArrayDeque<>();
        private final List<INDArray> releasedThisCall = new ArrayList<>();
        /** Buffers this manager allocated in this call and that are in use (not waiting for reuse). */
        private final java.util.Set<Long> allocated = new java.util.HashSet<>();
        /** Buffers released in this call or waiting for reuse: each is recycled once. */
        private final java.util.Set<Long> recycled = new java.util.HashSet<>();
        private long freeBytes;

        RecyclingArrays() {
            this(MAX_FREE_BYTES);
        }

        /** @param maxFreeBytes cap on the memory kept for reuse between calls */
        RecyclingArrays(long maxFreeBytes) {
            this.maxFreeBytes = maxFreeBytes;
        }

        /**
         * Makes the arrays released by the previous call reusable; beyond the cap, the oldest are freed at once
         * (nothing can read them: the previous call's session is gone and its outputs were copied), rather than left
         * to the garbage collector, which a small heap may not run for minutes.
         */
        void newCall() {
            // a buffer handed out in an earlier call and never released there (a call's outputs, arrays its session
            // still held) belongs to no session any more: once its Java object is collected, the allocator can give
            // the same address to any other array, which a later session may release (an alias of the caller's input,
            // an op's own allocation). Recognised by address alone it was taken for ours, recycled and finally
            // closed under its owner ("Op.Y argument was closed before call" on VGG16 at 16 x 224 x 224 chunks).
            allocated.clear();
            for (INDArray a : releasedThisCall) {
                if (a.wasClosed()) {
                    continue; // closed by its reader after release: never handed out again
                }
                free.computeIfAbsent(key(a.dataType(), a.shape(), a.ordering()), k -> new ArrayDeque<>()).add(a);
                freeOrder.add(a);
                freeBytes += bytes(a);
            }
            releasedThisCall.clear();
            while (freeBytes > maxFreeBytes && !freeOrder.isEmpty()) {
                INDArray old = freeOrder.removeFirst();
                Deque<INDArray> q = free.get(key(old.dataType(), old.shape(), old.ordering()));
                if (q != null && removeSame(q, old)) {
                    freeBytes -= bytes(old);
                    recycled.remove(old.data().address());
                    if (old.closeable()) {
                        old.close();
                    }
                }
            }
        }

        /**
         * Removes this very array. Never {@code Collection.remove}: {@code INDArray.equals} compares values, with a
         * native op per candidate, so it removed another array of equal contents (leaving this one to be freed later
         * while in use) and failed on candidates closed meanwhile ("Op.Y argument was closed before call").
         */
        private static boolean removeSame(Deque<INDArray> q, INDArray a) {
            return q.removeIf(e -> e == a);
        }

        private static long bytes(INDArray a) {
            return a.data().length() * a.dataType().width();
        }

        private static String key(DataType dt, long[] shape, char order) {
            return dt + Arrays.toString(shape) + order;
        }

        private INDArray take(DataType dt, long[] shape, char order) {
            Deque<INDArray> q = free.get(key(dt, shape, order));
            INDArray a = q == null ? null : q.pollFirst();
            while (a != null && a.wasClosed()) {
                removeSame(freeOrder, a);
                a = q.pollFirst();
            }
            if (a == null) {
                a = Nd4j.createUninitializedDetached(dt, order, shape);
            } else {
                removeSame(freeOrder, a);
                freeBytes -= bytes(a);
                recycled.remove(a.data().address());
            }
            allocated.add(a.data().address());
            return a;
        }

        @Override
        public INDArray allocate(boolean detached, DataType dataType, long... shape) {
            return take(dataType, shape, 'c');
        }

        @Override
        public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
            if (descriptor.isEmpty()) {
                return Nd4j.create(descriptor, false);
            }
            return take(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
        }

        /**
         * @param array an output of the call in progress
         * @return whether this manager allocated the array's whole buffer in this call and nothing that shares the
         *         buffer was released in it ({@link #release} forgets the address of anything it is given, views and
         *         aliases included): then no later call can be handed that memory, and the array may leave as it is
         */
        boolean ownsWhole(INDArray array) {
            return !array.isEmpty() && array.data() != null && !array.isView() && array.offset() == 0
                    && array.data().length() == array.length() && allocated.contains(array.data().address());
        }

        @Override
        public void release(INDArray array) {
            if (array == null || array.isEmpty() || array.data() == null) {
                return;
            }
            long address = array.data().address();
            // only a whole buffer that this manager allocated, and only once: views, aliases of weights or inputs
            // and second names of the same memory are never handed out again
            if (allocated.remove(address) && !array.isView() && array.offset() == 0
                    && array.data().length() == array.length() && recycled.add(address)) {
                releasedThisCall.add(array);
            }
        }

        @Override
        public void close() {
            free.clear();
            freeOrder.clear();
            releasedThisCall.clear();
            allocated.clear();
            recycled.clear();
            freeBytes = 0;
        }
    }
}
