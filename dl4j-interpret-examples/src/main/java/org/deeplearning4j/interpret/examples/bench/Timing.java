package org.deeplearning4j.interpret.examples.bench;

import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The harnesses' shared timing and memory helpers. */
final class Timing {
    private Timing() {
    }

    /** @return the median seconds of {@code reps} runs after one warm-up run */
    static double median(int reps, Runnable op) {
        op.run();
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            t.add((System.nanoTime() - t0) / 1e9);
        }
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
