package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.Colormap;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.interpret.target.Target;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final Logger log = LoggerFactory.getLogger(InterpretationListener.class);
    /** Default number of snapshots that may wait for the worker before training waits. */
    public static final int DEFAULT_MAX_PENDING = 1;
    /** Cell size of timeline images. */
    private static final int CELL = 96;

    private final File dir;
    private final INDArray probes;
    private final InputSpec spec;
    private final int everyIterations;
    private final boolean epochEnd;
    private final boolean async;
    private final List<Job> jobs;
    private final BlockingQueue<Snapshot> queue;
    private final Thread worker;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    /** Timeline images: job/probe row key to captioned images, in snapshot order. Worker thread only. */
    private final Map<String, List<Object[]>> timeline = new LinkedHashMap<>();
    private volatile boolean closed;
    /** Snapshots handed to the worker and not yet finished (synchronous mode waits for 0). */
    private final AtomicInteger pending = new AtomicInteger();
    private Model shadow;
    private InterpretableModel shadowModel;

    private InterpretationListener(Builder b) {
        this.dir = b.dir;
        this.probes = b.probes.dup();
        this.spec = b.spec;
        this.everyIterations = b.everyIterations;
        this.epochEnd = b.epochEnd;
        this.async = b.async;
        this.jobs = List.copyOf(b.jobs);
        this.queue = new ArrayBlockingQueue<>(Math.max(1, b.maxPending));
        this.worker = new Thread(this::work, "interpretation-listener");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * @param outputDir where snapshots and {@code timeline.html} go
     * @param probes fixed probe images in the model's input space, NCHW
     * @return a builder
     */
    public static Builder builder(File outputDir, INDArray probes) {
        return new Builder(outputDir, probes);
    }

    /** One thing to compute per snapshot. */
    private interface Job {
        String name();

        /** Computes and records this job's part of a snapshot. */
        void run(InterpretationListener l, InterpretableModel m, String label, File snapDir) throws Exception;
    }

    /** A copy of the weights at one point of training, and how to load it into the private model (worker thread). */
    private static final class Snapshot {
        final java.util.function.Supplier<InterpretableModel> load;
        final String label;
        final boolean poison;

        Snapshot(java.util.function.Supplier<InterpretableModel> load, String label, boolean poison) {
            this.load = load;
            this.label = label;
            this.poison = poison;
        }
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
        take(label, () -> {
            INDArray copy = model.params().dup();
            return () -> loadDl4j(model, copy);
        });
    }

    /**
     * Copies the weights on the training thread (outside DL4J's workspaces) and hands the snapshot to the worker;
     * never throws: a failure is counted and logged.
     *
     * @param label snapshot label
     * @param copier copies the weights and returns how the worker loads them into its private model
     */
    private void take(String label, java.util.concurrent.Callable<java.util.function.Supplier<InterpretableModel>>
            copier) {
        if (closed) {
            return;
        }
        try {
            java.util.function.Supplier<InterpretableModel> load;
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                load = copier.call();
            }
            enqueue(new Snapshot(load, label, false));
        } catch (Exception e) {
            failures.incrementAndGet();
            log.warn("Interpretation snapshot '{}' could not be taken; training continues", label, e);
        }
    }

    private void enqueue(Snapshot s) {
        try {
            pending.incrementAndGet();
            try {
                queue.put(s); // blocks only when maxPending snapshots already wait: the bound on the lag
            } catch (InterruptedException e) {
                pending.decrementAndGet();
                throw e;
            }
            if (!async) {
                awaitIdle();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Worker thread: the private DL4J network (created once) with the snapshot's parameters. */
    private InterpretableModel loadDl4j(Model source, INDArray params) {
        if (shadow == null) {
            shadow = copyOf(source, params);
            Models.Builder b = Models.builder(shadow);
            if (spec != null) {
                b.inputSpec(spec);
            }
            shadowModel = b.build();
        } else {
            shadow.params().assign(params);
        }
        return shadowModel;
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
                take(label, () -> {
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
                    return () -> loadSameDiff(graph, weights, input, logits, layers);
                });
            }
        };
    }

    /** Worker thread: the private SameDiff graph with the snapshot's weights (assigned in place, so the adapter's
     * copies, which share the graph's arrays, see them). */
    private InterpretableModel loadSameDiff(org.nd4j.autodiff.samediff.SameDiff graph, Map<String, INDArray> weights,
            String input, String logits, String[] layers) {
        weights.forEach((k, v) -> graph.getArrForVarName(k).assign(v));
        if (shadowModel == null) {
            Models.SameDiffBuilder b = Models.builder(graph, input, logits).layers(layers);
            if (spec != null) {
                b.inputSpec(spec);
            }
            shadowModel = b.build();
        }
        return shadowModel;
    }

    private void awaitIdle() throws InterruptedException {
        while (pending.get() > 0) {
            Thread.sleep(2);
        }
    }

    private void work() {
        while (true) {
            Snapshot s;
            try {
                s = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (s.poison) {
                return;
            }
            try {
                process(s);
                completed.incrementAndGet();
            } catch (Throwable t) {
                failures.incrementAndGet();
                log.warn("Interpretation snapshot '{}' failed; training is not affected", s.label, t);
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    private void process(Snapshot s) throws Exception {
        InterpretableModel m = s.load.get();
        File snapDir = new File(new File(dir, "snapshots"), slug(s.label));
        for (Job j : jobs) {
            try {
                j.run(this, m, s.label, snapDir);
            } catch (Exception | Error e) {
                failures.incrementAndGet();
                log.warn("Interpretation '{}' failed at {}; the other interpretations and training go on", j.name(),
                        s.label, e);
            }
        }
        writeReport();
        log.info("Interpretation snapshot '{}' written to {}", s.label, snapDir);
    }

    /** A private network with the snapshot's weights (same configuration, no listeners, never trained). */
    private static Model copyOf(Model m, INDArray params) {
        if (m instanceof MultiLayerNetwork) {
            MultiLayerConfiguration c = ((MultiLayerNetwork) m).getLayerWiseConfigurations().clone();
            MultiLayerNetwork n = new MultiLayerNetwork(c);
            n.init(params.dup(), false);
            return n;
        }
        if (m instanceof ComputationGraph) {
            ComputationGraph g = new ComputationGraph(((ComputationGraph) m).getConfiguration().clone());
            g.init(params.dup(), false);
            return g;
        }
        throw new IllegalArgumentException("InterpretationListener works on MultiLayerNetwork and ComputationGraph, "
                + "got " + m.getClass().getName());
    }

    private void record(String row, BufferedImage img, String caption) {
        timeline.computeIfAbsent(row, k -> new ArrayList<>()).add(new Object[] {img, caption});
    }

    private void writeReport() throws java.io.IOException {
        HtmlReport.Builder r = HtmlReport.builder("Interpretation timeline");
        for (Map.Entry<String, List<Object[]>> e : timeline.entrySet()) {
            r.section(e.getKey(), "");
            for (Object[] img : e.getValue()) {
                BufferedImage b = (BufferedImage) img[0];
                int side = Math.max(b.getWidth(), b.getHeight());
                r.image(side >= CELL ? b : Heatmaps.scale(b, b.getWidth() * CELL / side, b.getHeight() * CELL / side),
                        (String) img[1]);
            }
        }
        r.build().write(new File(dir, "timeline.html"));
    }

    /**
     * Waits for every pending snapshot, writes the final report and stops the worker. Training may go on afterwards
     * without the listener doing anything.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(new Snapshot(null, null, true));
            worker.join(TimeUnit.MINUTES.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return snapshots fully processed so far */
    public int completedSnapshots() {
        return completed.get();
    }

    /** @return interpretations or snapshots that failed (each was logged) */
    public int failures() {
        return failures.get();
    }

    /** @return the timeline report's file */
    public File report() {
        return new File(dir, "timeline.html");
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
        private final List<Job> jobs = new ArrayList<>();

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
            jobs.add(new Job() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public void run(InterpretationListener l, InterpretableModel m, String label, File snapDir)
                        throws Exception {
                    AttributionResult r = method.apply(m).attribute(l.probes, target);
                    r.saveMapNpy(new File(snapDir, slug(name) + "-maps.npy"));
                    for (int i = 0; i < l.probes.size(0); i++) {
                        BufferedImage input = Heatmaps.inputImage(l.probes.slice(i), m.inputSpec());
                        Colormap cmap = r.isSigned() ? Colormap.RDBU : Colormap.INFERNO;
                        BufferedImage heat = Heatmaps.heatmap(r.map(i), cmap);
                        BufferedImage overlay = Heatmaps.figure(Heatmaps.overlay(input, heat, Heatmaps.DEFAULT_ALPHA),
                                cmap, Heatmaps.scaleRange(r.map(i), cmap, Heatmaps.DEFAULT_CLIP_PERCENTILE), "", CELL);
                        Heatmaps.writePng(overlay, new File(snapDir, slug(name) + "-probe" + i + ".png"));
                        l.record(name + ", probe " + i, overlay, label + String.format(Locale.ROOT, ": %s = %.3g",
                                r.target(), r.targetValues().getDouble(i)));
                    }
                }
            });
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
            int[] ch = channels.clone();
            jobs.add(new Job() {
                @Override
                public String name() {
                    return "feature visualization " + layer;
                }

                @Override
                public void run(InterpretationListener l, InterpretableModel m, String label, File snapDir)
                        throws Exception {
                    FeatureVisResult r = fv.channels(m, layer, ch);
                    r.saveImages(new File(snapDir, slug(layer) + "-featurevis.npy"));
                    for (int i = 0; i < ch.length; i++) {
                        BufferedImage img = FeatureVisImages.image(r, i);
                        Heatmaps.writePng(img, new File(snapDir, slug(layer) + "-channel" + ch[i] + ".png"));
                        l.record(layer + " channel " + ch[i], img, label);
                    }
                }
            });
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
            int[] ch = channels.clone();
            jobs.add(new Job() {
                @Override
                public String name() {
                    return "top activations " + layer;
                }

                @Override
                public void run(InterpretationListener l, InterpretableModel m, String label, File snapDir)
                        throws Exception {
                    INDArray a = m.activations(l.probes, layer).get(layer);
                    INDArray means = a.rank() == 4 ? a.mean(2, 3) : a;
                    Npy.write(means, new File(snapDir, slug(layer) + "-channel-means.npy"));
                    for (int c : ch) {
                        double[] v = means.getColumn(c).toDoubleVector();
                        List<Integer> order = new ArrayList<>();
                        for (int i = 0; i < v.length; i++) {
                            order.add(i);
                        }
                        order.sort((x, y) -> Double.compare(v[y], v[x]));
                        List<BufferedImage> imgs = new ArrayList<>();
                        List<String> caps = new ArrayList<>();
                        for (int i : order.subList(0, Math.min(k, order.size()))) {
                            imgs.add(Heatmaps.inputImage(l.probes.slice(i), m.inputSpec()));
                            caps.add(String.format(Locale.ROOT, "#%d %.3g", i, v[i]));
                        }
                        BufferedImage grid = Heatmaps.grid(imgs, caps, imgs.size(), 48);
                        Heatmaps.writePng(grid, new File(snapDir, slug(layer) + "-channel" + c + "-top.png"));
                        l.record(layer + " channel " + c + ": top probes", grid, label);
                    }
                }
            });
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

    /** @return an unmodifiable view of the rows recorded so far (for tests) */
    List<String> rows() {
        return Collections.unmodifiableList(new ArrayList<>(timeline.keySet()));
    }
}
