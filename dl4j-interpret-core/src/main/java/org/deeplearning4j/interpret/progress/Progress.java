package org.deeplearning4j.interpret.progress;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** An immutable snapshot of long work: what runs, how many units are done out of how many, and the time left. */
public final class Progress {
    private final String task;
    private final long done;
    private final long total;
    private final Duration elapsed;

    /**
     * @param task what runs, e.g. {@code "Deletion/insertion (Saliency)"}
     * @param done units done
     * @param total units in all (&gt; 0)
     * @param elapsed time since the work started
     */
    public Progress(String task, long done, long total, Duration elapsed) {
        if (total <= 0 || done < 0 || done > total) {
            throw new IllegalArgumentException("Progress needs 0 <= done <= total and total > 0, got " + done + "/"
                    + total);
        }
        this.task = task;
        this.done = done;
        this.total = total;
        this.elapsed = elapsed;
    }

    /** @return what runs */
    public String task() {
        return task;
    }

    /** @return units done */
    public long done() {
        return done;
    }

    /** @return units in all */
    public long total() {
        return total;
    }

    /** @return the fraction done, in [0, 1] */
    public double fraction() {
        return done / (double) total;
    }

    /** @return time since the work started */
    public Duration elapsed() {
        return elapsed;
    }

    /** @return estimated time left (linear in the units done), empty before the first unit is done */
    public Optional<Duration> remaining() {
        if (done == 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) (elapsed.toMillis() * (double) (total - done) / done)));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %d/%d (%.0f%%), %s elapsed%s", task, done, total, 100 * fraction(),
                format(elapsed), remaining().map(r -> ", ETA " + format(r)).orElse(""));
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
