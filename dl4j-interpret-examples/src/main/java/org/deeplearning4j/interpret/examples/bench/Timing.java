package org.deeplearning4j.interpret.examples.bench;

import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The harnesses' shared timing and memory helpers. */
final class Timing {
    private Timing() {
    }

    /** Warm-up runs before timing: at most this many, ... */
    static final int MAX_WARMUP_RUNS = 100;
    /** ... and none after this many seconds of warming up (at least one run). */
    static final double WARMUP_SECONDS = 20;

    /**
     * Warms up as {@code tools/bench/pytorch_side_by_side.py} does: the JVM compiles SameDiff's session code over the
     * first calls (ResNet50's batch-1 forward pass took 100-330 ms per call over its first 50 calls and settled at
     * 45-52 ms after about 100, PyTorch's being 47-59 ms), so a single warm-up run would time the compiler, not the
     * steady state a long-running application sees.
     *
     * @return the median seconds of {@code reps} runs after the warm-up runs
     */
    static double median(int reps, Runnable op) {
        warmUp(op);
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            t.add(once(op));
        }
        return median(t);
    }

    /** Runs {@code op} as {@link #median} does before timing: up to 100 times, at most 20 s (at least once). */
    static void warmUp(Runnable op) {
        long warm = System.nanoTime();
        int runs = 0;
        do {
            op.run();
            runs++;
        } while (runs < MAX_WARMUP_RUNS && (System.nanoTime() - warm) / 1e9 < WARMUP_SECONDS);
    }

    /** @return the median of the values */
    static double median(List<Double> values) {
        List<Double> t = new ArrayList<>(values);
        t.sort(Double::compare);
        return t.get(t.size() / 2);
    }

    /** @return the seconds of one run */
    static double once(Runnable op) {
        long t0 = System.nanoTime();
        op.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * @param peak raised to the process's resident memory every 20 ms
     * @return the sampling daemon thread (interrupt it to stop)
     */
    static Thread residentSampler(AtomicLong peak) {
        Thread s = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        s.setDaemon(true);
        s.start();
        return s;
    }
}
