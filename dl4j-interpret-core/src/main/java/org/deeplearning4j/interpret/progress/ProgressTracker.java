package org.deeplearning4j.interpret.progress;

import org.slf4j.Logger;

import java.time.Duration;

/**
 * Counts units of long work, tells a {@link ProgressListener} after each step, and logs at INFO with an ETA at least
 * every 10% of the work or every 10 seconds (whichever comes first) once the work has run for a second; short work
 * stays quiet. Not thread-safe: one tracker per run.
 */
public final class ProgressTracker {
    /** Log at least this often. */
    public static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    /** ... and at least every this fraction of the work. */
    public static final double LOG_FRACTION = 0.1;
    private static final long QUIET_NANOS = 1_000_000_000L;

    private final Logger log;
    private final String task;
    private final long total;
    private final ProgressListener listener;
    private final long start = System.nanoTime();
    private long done;
    private long lastLogNanos = start;
    private double lastLogFraction;

    /**
     * @param log where to log
     * @param task what runs
     * @param total units in all (&gt; 0)
     * @param listener who else wants to know (may be null)
     */
    public ProgressTracker(Logger log, String task, long total, ProgressListener listener) {
        if (total <= 0) {
            throw new IllegalArgumentException("total must be > 0, got " + total);
        }
        this.log = log;
        this.task = task;
        this.total = total;
        this.listener = listener == null ? ProgressListener.none() : listener;
    }

    /** @param units units just finished */
    public void advance(long units) {
        done = Math.min(total, done + units);
        long now = System.nanoTime();
        Progress p = new Progress(task, done, total, Duration.ofNanos(now - start));
        listener.onProgress(p);
        boolean due = now - lastLogNanos >= LOG_INTERVAL.toNanos()
                || p.fraction() - lastLogFraction >= LOG_FRACTION - 1e-12 || done == total;
        if (due && now - start >= QUIET_NANOS) {
            log.info("{}", p);
            lastLogNanos = now;
            lastLogFraction = p.fraction();
        }
    }
}
