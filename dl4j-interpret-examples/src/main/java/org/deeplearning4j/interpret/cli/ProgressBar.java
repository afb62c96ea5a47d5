package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.progress.Progress;
import org.deeplearning4j.interpret.progress.ProgressListener;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on the terminal, redrawn in place ({@code [#####-----] 50% IG (path points), ETA 12s}).
 * Drawn only when the command runs in a terminal; in pipes and logs the library's own progress lines (every 10% or
 * 10 s, with an ETA) say the same.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private int lastPercent = -1;

    private ProgressBar(PrintWriter err) {
        this.err = err;
    }

    /**
     * @param err where to draw
     * @return a bar when stderr is a terminal, else a listener that does nothing
     */
    static ProgressListener forTerminal(PrintWriter err) {
        return System.console() != null ? new ProgressBar(err) : ProgressListener.none();
    }

    /**
     * @param err where to draw
     * @return a bar that always draws (for tests)
     */
    static ProgressBar always(PrintWriter err) {
        return new ProgressBar(err);
    }

    @Override
    public void onProgress(Progress p) {
        int percent = (int) Math.floor(100 * p.fraction());
        if (percent == lastPercent) {
            return;
        }
        lastPercent = percent;
        int filled = (int) Math.round(WIDTH * p.fraction());
        String eta = p.remaining().map(d -> String.format(Locale.ROOT, ", ETA %.0fs", d.toMillis() / 1000.0))
                .orElse("");
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%% %s%s", "#".repeat(filled), "-".repeat(WIDTH - filled),
                percent, p.task(), eta));
        if (p.done() == p.total()) {
            err.println();
        }
        err.flush();
    }
}
