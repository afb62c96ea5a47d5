package org.deeplearning4j.interpret.internal;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * Gives the native memory of finished work back before more work starts, so that peak memory follows the chunk size
 * and not the amount of work. Internal: not API.
 *
 * <p>ND4J's CPU backend frees an array's native buffer only after the garbage collector has collected the array's
 * Java object. Those objects are small, so a JVM with a modest heap can run for minutes without a collection while
 * every chunk of work (noisy copies, path points, occluded images and what is computed from them) leaves megabytes of
 * native garbage behind; JavaCPP's {@code maxphysicalbytes} collects only at its limit, and ND4J's buffers are not
 * counted by its {@code maxbytes}. Measured on ResNet50 (random weights, one 224x224 image, {@code -Xmx2g}): SmoothGrad
 * with 400 samples peaked at 3.3 GB resident without collections between chunks and at 2.0 GB with them.
 *
 * <p>Every evaluation the library starts (a SameDiff session call, a DL4J-layer engine call) first calls
 * {@link #reclaim()}: when the process's resident memory has grown by more than a budget since the last collection
 * (an eighth of what it was then, at least 256 MB) it asks ND4J's memory manager for a collection, unless less than
 * {@value #WAIT_FACTOR} times the last collection's duration has passed since it ended (so collections take at most
 * about a tenth of the time, also in a large heap where each takes long). Turn it off with
 * {@code -Ddl4j.interpret.reclaimNativeMemory=false} (e.g. when a very large heap makes full collections slow);
 * {@code -XX:+DisableExplicitGC} also turns it off.
 */
public final class NativeMemory {
    private static final Logger log = LoggerFactory.getLogger(NativeMemory.class);

    /** System property that turns the collections off when {@code false}. */
    public static final String PROPERTY = "dl4j.interpret.reclaimNativeMemory";
    /** Smallest growth of resident memory that triggers a collection. */
    static final long MIN_BUDGET_BYTES = 256L << 20;

    /**
     * Collections take at most about 1 / (1 + this) of the time: the next one waits this many times the last one's
     * duration. A full collection of a large heap (a Spark executor's) takes 100s of milliseconds; without the wait
     * a fast stream of small batches collected several times a second (measured on Spark {@code local[2]}: 70% of
     * the time in collections).
     */
    static final int WAIT_FACTOR = 10;

    private static final NativeMemory PROCESS = new NativeMemory(Pointer::physicalBytes,
            () -> Nd4j.getMemoryManager().invokeGc(), System::nanoTime);

    private final LongSupplier residentBytes;
    private final Runnable collect;
    private final LongSupplier clock;
    /** {@link #clock} when the next collection may start. */
    private long notBefore;
    /** Resident memory at the first check after the last collection; -1 until then. */
    private long baseline = -1;
    private long collections;

    NativeMemory(LongSupplier residentBytes, Runnable collect, LongSupplier clock) {
        this.residentBytes = residentBytes;
        this.collect = collect;
        this.clock = clock;
    }

    /** Collects the native garbage of earlier work when resident memory has grown past the budget. */
    public static void reclaim() {
        if (!"false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            PROCESS.check();
        }
    }

    synchronized void check() {
        long now = residentBytes.getAsLong();
        if (now <= 0) {
            return; // resident size unknown on this platform: leave it to the garbage collector
        }
        if (baseline < 0) {
            // the first check after a collection: by now the collected buffers have been freed
            baseline = now;
            return;
        }
        long start = clock.getAsLong();
        if (now - baseline > budget(baseline) && (collections == 0 || start - notBefore >= 0)) {
            collections++;
            log.debug("resident memory grew from {} MB to {} MB: collecting native garbage (collection {})",
                    baseline >> 20, now >> 20, collections);
            collect.run();
            long end = clock.getAsLong();
            notBefore = end + WAIT_FACTOR * (end - start);
            baseline = -1;
        }
    }

    /**
     * @param baseline resident bytes after the last collection
     * @return growth allowed before the next one
     */
    static long budget(long baseline) {
        return Math.max(MIN_BUDGET_BYTES, baseline / 8);
    }

    synchronized long collections() {
        return collections;
    }
}
