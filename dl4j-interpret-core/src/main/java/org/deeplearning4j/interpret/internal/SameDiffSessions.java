package org.deeplearning4j.interpret.internal;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Runs SameDiff graphs so that a call's result never depends on earlier calls. Internal: not API.
 *
 * <p>M2.1's {@code InferenceSession} hands every op its output arrays from an {@code ArrayCacheMemoryMgr} that keeps
 * the arrays released by earlier executions and gives them out again by size. A released array can still be
 * reachable through a view (reshape, permute, slice) that a later op reads, so after a particular history of batch
 * sizes an op overwrote memory that another op still needed: on a VGG-like CNN, {@code gradient(batch 16)},
 * {@code logits(batch 16)}, then {@code gradient(batch 32)} gave a gradient 98% away from the true one (verified;
 * a session without the cache gives the true gradient after every history). Every session of a graph the library
 * runs therefore allocates fresh, zero-filled arrays and lets the garbage collector free them; the few microseconds
 * this costs per op are invisible beside the ops themselves.
 */
public final class SameDiffSessions {
    private static final String GRAD_FUNCTION = "grad";

    private SameDiffSessions() {
    }

    /**
     * Installs fresh-array memory management in the calling thread's session of {@code sd} and of its gradient
     * function, if it has one. Call it before every execution ({@code output}, {@code calculateGradients}).
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
        return sd.output(feeds, names);
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
        if (!(s.getMmgr() instanceof FreshArrays)) {
            s.setMmgr(new FreshArrays());
        }
    }

    /** Allocates zero-filled arrays and never recycles them. */
    private static final class FreshArrays extends AbstractMemoryMgr {
        @Override
        public INDArray allocate(boolean detached, DataType dataType, long... shape) {
            return Nd4j.create(dataType, shape);
        }

        @Override
        public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
            return Nd4j.create(descriptor, true);
        }

        @Override
        public void release(INDArray array) {
            // left to the garbage collector: a view of this array may still be in use
        }

        @Override
        public void close() {
            // nothing is cached
        }
    }
}
