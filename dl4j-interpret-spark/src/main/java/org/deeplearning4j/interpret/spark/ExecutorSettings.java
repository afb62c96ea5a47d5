package org.deeplearning4j.interpret.spark;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * ND4J settings applied by every task on an executor.
 *
 * <ul>
 *   <li><b>Threads per op.</b> ND4J sizes its thread pools for the whole machine, so {@code k} concurrent tasks on
 *       an executor would each run {@code cores}-thread ops and oversubscribe it {@code k} times. Each task sets
 *       ND4J's op threads (libnd4j and BLAS) to {@code max(1, cores / slots)}, where {@code slots} is the number of
 *       tasks an executor runs at once ({@code spark.executor.cores / spark.task.cpus}, or {@code N} of
 *       {@code local[N]}). {@code spark.dl4jInterpret.threadsPerTask} overrides it (a number, or 0 to leave ND4J
 *       alone). In local mode the executor is the driver's JVM, so the driver keeps the setting for later ND4J
 *       work on other threads; set the key to 0 to avoid that.</li>
 *   <li><b>Workspaces.</b> At the end of each task the thread's ND4J workspaces are destroyed, so a long-lived
 *       task thread does not keep the largest batch's scratch memory (without the full garbage collection that
 *       ND4J's own clean-up call adds).</li>
 * </ul>
 */
final class ExecutorSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int slots;

    /** Spark configuration key: op threads per task ({@code auto}, the default, or a number; 0 leaves ND4J alone). */
    static final String THREADS_KEY = "spark.dl4jInterpret.threadsPerTask";
    private final int fixedThreads;

    /** @param slots tasks an executor runs at once; 0 leaves ND4J's threads alone */
    ExecutorSettings(int slots) {
        this(slots, -1);
    }

    private ExecutorSettings(int slots, int fixedThreads) {
        this.slots = Math.max(0, slots);
        this.fixedThreads = fixedThreads;
    }

    /** @return threads per op for this executor's tasks */
    int threadsPerTask() {
        if (fixedThreads > 0 || slots == 0) {
            return fixedThreads;
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors() / slots);
    }

    /** Applies the settings in the current task; registers the workspace clean-up for its end. */
    void apply() {
        if (slots > 0) {
            int t = threadsPerTask();
            if (Nd4j.getEnvironment().maxMasterThreads() != t || Nd4j.getEnvironment().maxThreads() != t) {
                Nd4j.getEnvironment().setMaxMasterThreads(t);
                Nd4j.getEnvironment().setMaxThreads(t);
                Nd4j.factory().blas().setMaxThreads(t);
            }
            // OpenMP's thread count is a per-thread setting: set it on this task thread
            org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(t);
        }
        TaskContext ctx = TaskContext.get();
        if (ctx != null) {
            ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> freeWorkspaces());
        }
    }

    /**
     * Destroys the current thread's workspaces one by one. Not ND4J's {@code destroyAllWorkspacesForCurrentThread()}:
     * that ends with a full {@code System.gc()}, which in an executor's heap takes 150-250 ms per task (measured:
     * it tripled the time of an example search on {@code local[2]}).
     */
    static void freeWorkspaces() {
        org.nd4j.linalg.api.memory.MemoryWorkspaceManager m = Nd4j.getWorkspaceManager();
        for (org.nd4j.linalg.api.memory.MemoryWorkspace ws : new java.util.ArrayList<>(
                m.getAllWorkspacesForCurrentThread())) {
            m.destroyWorkspace(ws);
        }
    }

    /**
     * @param master the Spark master URL
     * @param executorCores {@code spark.executor.cores} (or null)
     * @param taskCpus {@code spark.task.cpus}
     * @return the task slots per executor
     */
    static int slots(String master, String executorCores, int taskCpus) {
        int cores;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\*|\\d+)(,\\d+)?]").matcher(master);
        if (m.matches()) {
            cores = m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        } else if (master.equals("local")) {
            cores = 1;
        } else {
            cores = executorCores == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(executorCores);
        }
        return Math.max(1, cores / Math.max(1, taskCpus));
    }

    static ExecutorSettings of(org.apache.spark.sql.SparkSession spark) {
        org.apache.spark.SparkConf c = spark.sparkContext().getConf();
        String threads = c.get(THREADS_KEY, "auto").trim();
        int slots = slots(spark.sparkContext().master(), c.get("spark.executor.cores", null),
                c.getInt("spark.task.cpus", 1));
        if (threads.equals("auto")) {
            return new ExecutorSettings(slots);
        }
        int t;
        try {
            t = Integer.parseInt(threads);
        } catch (NumberFormatException e) {
            t = -1;
        }
        if (t < 0) {
            throw new IllegalArgumentException(THREADS_KEY + " must be 'auto' or a number >= 0, got '" + threads + "'");
        }
        return t == 0 ? new ExecutorSettings(0) : new ExecutorSettings(slots, t);
    }
}
