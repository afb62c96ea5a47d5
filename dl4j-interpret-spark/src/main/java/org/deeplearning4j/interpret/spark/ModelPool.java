package org.deeplearning4j.interpret.spark;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The models of an executor, one copy per task thread: DL4J networks and SameDiff sessions are not thread-safe, and
 * Spark runs a partition's task on a thread of a growing pool that it reuses for later tasks. A thread opens a model
 * the first time it needs it (keyed by the model's checksum and options, {@link ModelRef}) and keeps it for the next
 * tasks it runs; the copy goes when the thread does (Spark retires idle task threads), and a thread keeps at most
 * {@value #MODELS_PER_THREAD} models (the least recently used goes first).
 */
public final class ModelPool {
    private static final Logger log = LoggerFactory.getLogger(ModelPool.class);
    /** Models kept per thread; the least recently used one goes beyond this. */
    public static final int MODELS_PER_THREAD = 4;
    private static final ThreadLocal<Map<String, InterpretableModel>> MODELS = ThreadLocal.withInitial(
            () -> new java.util.LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, InterpretableModel> eldest) {
                    return size() > MODELS_PER_THREAD;
                }
            });
    private static final AtomicLong OPENS = new AtomicLong();

    private ModelPool() {
    }

    /**
     * @param ref the model
     * @return this thread's copy, opened on first use
     */
    public static InterpretableModel get(ModelRef ref) {
        return MODELS.get().computeIfAbsent(ref.key(), k -> {
            long t = System.nanoTime();
            InterpretableModel m = ref.open();
            OPENS.incrementAndGet();
            log.info("Opened {} on thread '{}' in {} ms", ref, Thread.currentThread().getName(),
                    (System.nanoTime() - t) / 1_000_000);
            return m;
        });
    }

    /** @return how many times a model was opened in this JVM (monitoring and tests) */
    public static long opens() {
        return OPENS.get();
    }

    /** Drops this thread's models (e.g. before a thread is reused for something else). */
    public static void clearThread() {
        MODELS.remove();
    }
}
