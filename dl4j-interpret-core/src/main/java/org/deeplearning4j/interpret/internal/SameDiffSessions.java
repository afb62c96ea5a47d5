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
 * reused only in a <i>later</i> call, when nothing of the earlier call can read it any more, and only if it owns its
 * whole buffer (views are never recycled); outputs that are views are copied before they are returned, so a
 * recycled buffer can never be a caller's result. Within one call nothing is reused. This keeps the speed of a
 * cache (no allocation in steady state) without its hazard.
 */
public final class SameDiffSessions {
    private static final String GRAD_FUNCTION = "grad";

    private SameDiffSessions() {
    }

    /**
     * Installs {@link RecyclingArrays} in the calling thread's session of {@code sd} and of its gradient function,
     * if it has one, and starts a new call: arrays released by earlier calls become reusable. Call it before every
     * execution ({@code output}, {@code calculateGradients}).
     *
     * @param sd a graph owned by the library (never the user's own graph)
     */
    public static void freshArrays(SameDiff sd) {
        install(sd);
        if (sd.hasGradientFunction()) {
            install(sd.getFunction(GRAD_FUNCTION));
        }
    }

    /**
     * {@code sd.output(feeds, names)} with {@link #freshArrays(SameDiff)} installed first.
     *
     * @param sd a graph owned by the library
     * @param feeds placeholder values
     * @param names variables to compute
     * @return the computed arrays, owned by the caller
     */
    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> feeds, String... names) {
        freshArrays(sd);
        Map<String, INDArray> out = sd.output(feeds, names);
        out.replaceAll((k, v) -> v != null && v.isView() ? v.dup() : v);
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

    private static void install(SameDiff sd) {
        InferenceSession s = sd.getSessions().computeIfAbsent(Thread.currentThread().getId(),
                k -> new InferenceSession(sd));
        if (!(s.getMmgr() instanceof RecyclingArrays)) {
            s.setMmgr(new RecyclingArrays());
        }
        ((RecyclingArrays) s.getMmgr()).newCall();
    }

    /**
     * Reuses, in later calls only, arrays that own their buffer. At most a quarter of JavaCPP's memory limit waits
     * for reuse (as M2.1's own cache); beyond that the oldest are left to the garbage collector.
     */
    static final class RecyclingArrays extends AbstractMemoryMgr {
        /** Cap on the memory kept for reuse between calls. */
        static final long MAX_FREE_BYTES = Math.max(256L << 20, org.bytedeco.javacpp.Pointer.maxBytes() / 4);

        private final Map<String, Deque<INDArray>> free = new HashMap<>();
        private final Deque<INDArray> freeOrder = new ArrayDeque<>();
        private final List<INDArray> releasedThisCall = new ArrayList<>();
        private long freeBytes;

        /** Makes the arrays released by the previous call reusable. */
        void newCall() {
            for (INDArray a : releasedThisCall) {
                long bytes = a.data().length() * a.dataType().width();
                free.computeIfAbsent(key(a.dataType(), a.shape(), a.ordering()), k -> new ArrayDeque<>()).add(a);
                freeOrder.add(a);
                freeBytes += bytes;
            }
            releasedThisCall.clear();
            while (freeBytes > MAX_FREE_BYTES && !freeOrder.isEmpty()) {
                INDArray old = freeOrder.removeFirst();
                Deque<INDArray> q = free.get(key(old.dataType(), old.shape(), old.ordering()));
                if (q != null && q.remove(old)) {
                    freeBytes -= old.data().length() * old.dataType().width();
                }
            }
        }

        private static String key(DataType dt, long[] shape, char order) {
            return dt + Arrays.toString(shape) + order;
        }

        private INDArray reuse(DataType dt, long[] shape, char order) {
            Deque<INDArray> q = free.get(key(dt, shape, order));
            INDArray a = q == null ? null : q.pollFirst();
            if (a != null) {
                freeOrder.remove(a);
                freeBytes -= a.data().length() * a.dataType().width();
            }
            return a;
        }

        @Override
        public INDArray allocate(boolean detached, DataType dataType, long... shape) {
            INDArray a = reuse(dataType, shape, 'c');
            return a != null ? a : Nd4j.createUninitializedDetached(dataType, shape);
        }

        @Override
        public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
            if (descriptor.isEmpty()) {
                return Nd4j.create(descriptor, false);
            }
            INDArray a = reuse(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
            return a != null ? a : Nd4j.createUninitializedDetached(descriptor.dataType(), descriptor.getOrder(),
                    descriptor.getShape());
        }

        @Override
        public void release(INDArray array) {
            // only arrays that own their whole buffer: a view writes into another array's memory
            if (array != null && !array.isView() && !array.isEmpty() && array.data() != null
                    && array.data().length() == array.length() && array.offset() == 0) {
                releasedThisCall.add(array);
            }
        }

        @Override
        public void close() {
            free.clear();
            freeOrder.clear();
            releasedThisCall.clear();
            freeBytes = 0;
        }
    }
}
