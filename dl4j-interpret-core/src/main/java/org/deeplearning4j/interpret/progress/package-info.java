/**
 * Progress of long work: {@link org.deeplearning4j.interpret.progress.Progress} snapshots handed to a
 * {@link org.deeplearning4j.interpret.progress.ProgressListener} (a progress bar, a job monitor), and
 * {@link org.deeplearning4j.interpret.progress.ProgressTracker}, which methods use to log progress with an ETA at
 * least every 10% or 10 seconds.
 */
package org.deeplearning4j.interpret.progress;
