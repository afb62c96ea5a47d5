package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Closeable;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Watches interpretations evolve during training: every N iterations and/or at the end of each epoch, copies the
 * network's parameters and runs the configured attributions, feature visualizations and top activations on fixed
 * probe images, writing PNGs and {@code .npy} arrays per snapshot and a timeline report ({@code timeline.html}) that
 * shows each heatmap and visualization across snapshots.
 *
 * <p>Training is never changed: the listener only reads the parameters (one copy per snapshot, on the training
 * thread), and all interpretation work runs on its own thread (ND4J's random generators are per thread, so dropout
 * draws in training are untouched) on a private network that holds the copied weights. By default the work is
 * asynchronous with at most {@link #DEFAULT_MAX_PENDING} snapshot waiting: when the worker falls further behind,
 * training waits for it (the lag is bounded). Failures are logged and never reach the training loop.
 *
 * <pre>{@code
 * InterpretationListener l = InterpretationListener.builder(new File("out/timeline"), probes)
 *         .inputSpec(InputSpec.builder().shape(1, 28, 28).build()).everyIterations(200)
 *         .attribution("Saliency", Saliency::of, Targets.predicted()).build();
 * net.addListeners(l);
 * net.fit(train, 3);
 * l.close();   // waits for pending snapshots and writes the final report
 * }</pre>
 */
public final class InterpretationListener extends BaseTrainingListener implements Closeable {
    /** Default number of snapshots that may wait for the worker before training waits. */
    public static final int DEFAULT_MAX_PENDING = 1;
    /** Cell size of timeline images. */
    private static final int CELL = 96;

    private final int everyIterations;
    private final boolean epochEnd;
    private final SnapshotWorker worker;

    private InterpretationListener(Builder b) {
        this.everyIterations = b.everyIterations;
        this.epochEnd = b.epochEnd;
        this.worker = new SnapshotWorker(b.dir, b.probes, b.spec, b.jobs, b.async, b.maxPending, CELL);
    }

    /**
     * @param outputDir where snapshots and {@code timeline.html} go
     * @param probes fixed probe images in the model's input space, NCHW
     * @return a builder
     */
    public static Builder builder(File outputDir, INDArray probes) {
        return new Builder(outputDir, probes);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (everyIterations > 0 && iteration > 0 && iteration % everyIterations == 0) {
            snapshot(model, "iteration " + iteration);
        }
    }

    @Override
    public void onEpochEnd(Model model) {
        if (epochEnd) {
            int epoch = model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getEpochCount()
                    : model instanceof ComputationGraph ? ((ComputationGraph) model).getEpochCount() : -1;
            snapshot(model, "epoch " + (epoch + 1)); // DL4J calls onEpochEnd before counting the finished epoch
        }
    }

    /** Copies the parameters (training thread) and hands the snapshot to the worker; never throws. */
    private void snapshot(Model model, String label) {
        worker.take(label, () -> {
            INDArray copy = model.params().dup();
            return () -> worker.loadDl4j(model, copy);
        });
    }

    /**
     * The same listener for SameDiff training ({@code sd.fit(..., listener)}): snapshots every N iterations and at
     * epoch ends, with the graph read through {@code Models.builder(sd, input, logits)}.
     *
     * <p>Prefer {@link #forSameDiff(org.nd4j.autodiff.samediff.SameDiff, String, String, String...)}: M2.1 calls
     * training listeners with its gradient function rather than the model, and a gradient function whose backward
     * ops SameDiff cannot read back (max pooling's {@code maxpool2d_bp}, among others) cannot be copied; each such
     * snapshot then fails with a message that says so.
     *
     * @param input the image placeholder
     * @param logits the pre-softmax class scores
     * @param layers hidden variables the configured interpretations use
     * @return a SameDiff listener feeding this listener's worker and report
     */
    public org.nd4j.autodiff.listeners.Listener forSameDiff(String input, String logits, String... layers) {
        return forSameDiff(null, input, logits, layers);
    }

    /**
     * The same listener for SameDiff training of {@code model}: the forward graph is copied from the model itself
     * (once, at the first snapshot) and the weights from the graph training updates.
     *
     * @param model the graph being trained (not modified)
     * @param input the image placeholder
     * @param logits the pre-softmax class scores
     * @param layers hidden variables the configured interpretations use
     * @return a SameDiff listener feeding this listener's worker and report
     */
    public org.nd4j.autodiff.listeners.Listener forSameDiff(org.nd4j.autodiff.samediff.SameDiff model, String input,
            String logits, String... layers) {
        return new org.nd4j.autodiff.listeners.BaseListener() {
            private org.nd4j.autodiff.samediff.SameDiff structure;

            @Override
            public boolean isActive(org.nd4j.autodiff.listeners.Operation operation) {
                return operation == org.nd4j.autodiff.listeners.Operation.TRAINING;
            }

            @Override
            public void iterationDone(org.nd4j.autodiff.samediff.SameDiff sd, org.nd4j.autodiff.listeners.At at,
                    org.nd4j.linalg.dataset.api.MultiDataSet data, org.nd4j.autodiff.listeners.Loss loss) {
                int it = at.iteration() + 1;
                if (everyIterations > 0 && it % everyIterations == 0) {
                    snapshotSameDiff(sd, "iteration " + it);
                }
            }

            @Override
            public org.nd4j.autodiff.listeners.ListenerResponse epochEnd(org.nd4j.autodiff.samediff.SameDiff sd,
                    org.nd4j.autodiff.listeners.At at, org.nd4j.autodiff.listeners.records.LossCurve curve,
                    long millis) {
                if (epochEnd) {
                    snapshotSameDiff(sd, "epoch " + (at.epoch() + 1));
                }
                return org.nd4j.autodiff.listeners.ListenerResponse.CONTINUE;
            }

            private void snapshotSameDiff(org.nd4j.autodiff.samediff.SameDiff sd, String label) {
                // M2.1 calls training listeners with the gradient function: forward and backward ops, some of which
                // (maxpool2d_bp, ...) its FlatBuffers reader cannot read back; the model's own graph has none
                worker.take(label, () -> {
                    org.nd4j.autodiff.samediff.SameDiff from = model != null ? model : sd;
                    Map<String, INDArray> weights = new LinkedHashMap<>();
                    for (org.nd4j.autodiff.samediff.SDVariable v : from.variables()) {
                        if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                            weights.put(v.name(), from.getArrForVarName(v.name()).dup());
                        }
                    }
                    if (structure == null) {
                        // once, on the training thread between iterations
                        try {
                            structure = org.deeplearning4j.interpret.internal.SameDiffSessions.copyStructure(
                                    model != null ? model : sd);
                        } catch (RuntimeException e) {
                            throw new org.deeplearning4j.interpret.InterpretException("Cannot copy the graph that "
                                    + "SameDiff training hands its listeners (its gradient function, with backward "
                                    + "ops SameDiff cannot read back: " + e.getMessage() + "); create the listener "
                                    + "with forSameDiff(sd, input, logits, layers...) so that the model's own graph "
                                    + "is copied", e);
                        }
                    }
                    org.nd4j.autodiff.samediff.SameDiff graph = structure;
                    return () -> worker.loadSameDiff(graph, weights, input, logits, layers);
                });
            }
        };
    }

    /**
     * Waits for every pending snapshot, writes the final report and stops the worker. Training may go on afterwards
     * without the listener doing anything.
     */
    @Override
    public void close() {
        worker.close();
    }

    /** @return snapshots fully processed so far */
    public int completedSnapshots() {
        return worker.completed();
    }

    /** @return interpretations or snapshots that failed (each was logged) */
    public int failures() {
        return worker.failures();
    }

    /** @return the timeline report's file */
    public File report() {
        return worker.report();
    }

    static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** Options; {@link #build()} validates and starts the worker thread. */
    public static final class Builder {
        private final File dir;
        private final INDArray probes;
        private InputSpec spec;
        private int everyIterations;
        private boolean epochEnd = true;
        private boolean async = true;
        private int maxPending = DEFAULT_MAX_PENDING;
        private final List<SnapshotJob> jobs = new ArrayList<>();

        private Builder(File dir, INDArray probes) {
            if (dir == null) {
                throw new IllegalArgumentException("outputDir is null");
            }
            if (probes == null || probes.rank() != 4 || probes.size(0) == 0) {
                throw new IllegalArgumentException("Probes must be a non-empty NCHW batch, got "
                        + (probes == null ? "null" : java.util.Arrays.toString(probes.shape())));
            }
            this.dir = dir;
            this.probes = probes;
        }

        /**
         * @param s the model's input spec (needed for MultiLayerNetworks and feature visualization)
         * @return this
         */
        public Builder inputSpec(InputSpec s) {
            this.spec = s;
            return this;
        }

        /**
         * @param n snapshot every n iterations (0 = never; default 0)
         * @return this
         */
        public Builder everyIterations(int n) {
            this.everyIterations = n;
            return this;
        }

        /**
         * @param on snapshot at the end of each epoch (default true)
         * @return this
         */
        public Builder atEpochEnd(boolean on) {
            this.epochEnd = on;
            return this;
        }

        /**
         * @param on run the work on the listener's thread while training continues (default true); false makes
         *           training wait for each snapshot (the work still runs on the listener's thread)
         * @return this
         */
        public Builder async(boolean on) {
            this.async = on;
            return this;
        }

        /**
         * @param n snapshots that may wait before training waits (default 1)
         * @return this
         */
        public Builder maxPending(int n) {
            this.maxPending = n;
            return this;
        }

        /**
         * @param name label in the report
         * @param method builds the attribution method for the listener's private model, e.g. {@code Saliency::of}
         * @param target what to explain on every probe
         * @return this
         */
        public Builder attribution(String name, Function<InterpretableModel, Attribution> method, Target target) {
            if (method == null || target == null) {
                throw new IllegalArgumentException("attribution needs a method and a target");
            }
            jobs.add(new AttributionJob(name, method, target, CELL));
            return this;
        }

        /**
         * @param layer layer name
         * @param channels channels to visualise
         * @param fv the optimiser (e.g. with fewer steps than the default to keep up with training)
         * @return this
         */
        public Builder featureVisualization(String layer, int[] channels, FeatureVisualization fv) {
            if (layer == null || channels == null || channels.length == 0 || fv == null) {
                throw new IllegalArgumentException("featureVisualization needs a layer, channels and an optimiser");
            }
            jobs.add(new FeatureVisJob(layer, channels, fv));
            return this;
        }

        /**
         * @param layer layer name
         * @param channels channels whose most activating probes to track
         * @param k probes kept per channel
         * @return this
         */
        public Builder topActivations(String layer, int[] channels, int k) {
            if (layer == null || channels == null || k < 1) {
                throw new IllegalArgumentException("topActivations needs a layer, channels and k >= 1");
            }
            jobs.add(new TopActivationsJob(layer, channels, k));
            return this;
        }

        /** @return the listener (its worker thread is started) */
        public InterpretationListener build() {
            if (jobs.isEmpty()) {
                throw new IllegalArgumentException("Add at least one interpretation (attribution, "
                        + "featureVisualization or topActivations)");
            }
            if (everyIterations < 0 || maxPending < 1) {
                throw new IllegalArgumentException("everyIterations must be >= 0 and maxPending >= 1");
            }
            if (everyIterations == 0 && !epochEnd) {
                throw new IllegalArgumentException("Nothing would trigger a snapshot: set everyIterations(n) or "
                        + "atEpochEnd(true)");
            }
            return new InterpretationListener(this);
        }
    }

    /** @return the timeline rows recorded so far (for tests) */
    List<String> rows() {
        return worker.rows();
    }
}
