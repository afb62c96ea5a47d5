package org.deeplearning4j.interpret.progress;

/**
 * Receives progress of long work (called on the computing thread after each unit; keep it quick). Exceptions it
 * throws abort the work.
 */
@FunctionalInterface
public interface ProgressListener {

    /** @param progress where the work stands */
    void onProgress(Progress progress);

    /** @return a listener that ignores progress */
    static ProgressListener none() {
        return p -> {
        };
    }
}
