package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.TimelinePage;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The listener's worker: takes weight copies from the training thread (bounded queue), loads each into a private
 * model on its own thread, runs the jobs, writes their PNGs and arrays into the snapshot's folder and the timeline
 * page. Failures are counted and logged, never thrown at training.
 */
final class SnapshotWorker {
    private static final Logger log = LoggerFactory.getLogger(SnapshotWorker.class);

    private final File dir;
    private final INDArray probes;
    private final InputSpec spec;
    private final List<SnapshotJob> jobs;
    private final boolean async;
    private final BlockingQueue<Snapshot> queue;
    private final Thread thread;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    /** Snapshots handed to the worker and not yet finished (synchronous mode waits for 0). */
    private final AtomicInteger pending = new AtomicInteger();
    /** Worker thread only. */
    private final TimelinePage timeline;
    private volatile boolean closed;
    private Model shadow;
    private InterpretableModel shadowModel;

    /** A copy of the weights at one point of training, and how to load it into the private model (worker thread). */
    private record Snapshot(Supplier<InterpretableModel> load, String label, boolean poison) {
    }

    SnapshotWorker(File dir, INDArray probes, InputSpec spec, List<SnapshotJob> jobs, boolean async, int maxPending,
            int cell) {
        this.dir = dir;
        this.probes = probes.dup();
        this.spec = spec;
        this.jobs = List.copyOf(jobs);
        this.async = async;
        this.timeline = new TimelinePage("Interpretation timeline", cell);
        this.queue = new ArrayBlockingQueue<>(Math.max(1, maxPending));
        this.thread = new Thread(this::work, "interpretation-listener");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Copies the weights on the training thread (outside DL4J's workspaces) and hands the snapshot to the worker;
     * never throws: a failure is counted and logged.
     *
     * @param label snapshot label
     * @param copier copies the weights and returns how the worker loads them into its private model
     */
    void take(String label, Callable<Supplier<InterpretableModel>> copier) {
        if (closed) {
            return;
        }
        try {
            Supplier<InterpretableModel> load;
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
                while (pending.get() > 0) {
                    Thread.sleep(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Worker thread: the private DL4J network (created once) with the snapshot's parameters.
     *
     * @param source the network being trained (its configuration is copied, never the network)
     * @param params the snapshot's parameters
     * @return the private model
     */
    InterpretableModel loadDl4j(Model source, INDArray params) {
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
     * Worker thread: the private SameDiff graph with the snapshot's weights (assigned in place, so the adapter's
     * copies, which share the graph's arrays, see them).
     *
     * @param graph the private graph
     * @param weights the snapshot's weights by variable
     * @param input the image placeholder
     * @param logits the logits variable
     * @param layers hidden variables the jobs use
     * @return the private model
     */
    InterpretableModel loadSameDiff(org.nd4j.autodiff.samediff.SameDiff graph, Map<String, INDArray> weights,
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

    private void work() {
        while (true) {
            Snapshot s;
            try {
                s = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (s.poison()) {
                return;
            }
            try {
                process(s);
                completed.incrementAndGet();
            } catch (Throwable t) {
                failures.incrementAndGet();
                log.warn("Interpretation snapshot '{}' failed; training is not affected", s.label(), t);
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    private void process(Snapshot s) throws Exception {
        InterpretableModel m = s.load().get();
        File snapDir = new File(new File(dir, "snapshots"), InterpretationListener.slug(s.label()));
        for (SnapshotJob j : jobs) {
            try {
                SnapshotJob.Output out = j.run(m, probes);
                for (Map.Entry<String, INDArray> a : out.arrays().entrySet()) {
                    Npy.write(a.getValue(), new File(snapDir, a.getKey()));
                }
                for (Frame f : out.frames()) {
                    Heatmaps.writePng(f.image(), new File(snapDir, f.fileName()));
                    timeline.add(f.row(), f.image(), f.caption().isEmpty() ? s.label()
                            : s.label() + ": " + f.caption());
                }
            } catch (Exception | Error e) {
                failures.incrementAndGet();
                log.warn("Interpretation '{}' failed at {}; the other interpretations and training go on", j.name(),
                        s.label(), e);
            }
        }
        timeline.write(report());
        log.info("Interpretation snapshot '{}' written to {}", s.label(), snapDir);
    }

    /** Waits for every pending snapshot, writes the final report and stops the worker. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(new Snapshot(null, null, true));
            thread.join(TimeUnit.MINUTES.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int completed() {
        return completed.get();
    }

    int failures() {
        return failures.get();
    }

    File report() {
        return new File(dir, "timeline.html");
    }

    /** @return the timeline's rows so far (for tests) */
    List<String> rows() {
        return timeline.rows();
    }
}
