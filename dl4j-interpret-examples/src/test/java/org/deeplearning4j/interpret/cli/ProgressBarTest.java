package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.progress.Progress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    @Test
    void theBarShowsTheShareDoneTheTaskAndTheEtaAndEndsItsLineWhenDone() {
        StringWriter out = new StringWriter();
        ProgressBar bar = ProgressBar.always(new PrintWriter(out, true));
        bar.onProgress(new Progress("IG (path points)", 5, 10, Duration.ofSeconds(5)));
        bar.onProgress(new Progress("IG (path points)", 5, 10, Duration.ofSeconds(6))); // same percent: not redrawn
        bar.onProgress(new Progress("IG (path points)", 10, 10, Duration.ofSeconds(10)));
        String s = out.toString();
        assertTrue(s.contains("\r[###############---------------]  50% IG (path points), ETA 5s"), s);
        assertEquals(2, s.split("\r", -1).length - 1, "redrawn once per new percent");
        assertTrue(s.endsWith("100% IG (path points), ETA 0s" + System.lineSeparator()), s);
    }
}
