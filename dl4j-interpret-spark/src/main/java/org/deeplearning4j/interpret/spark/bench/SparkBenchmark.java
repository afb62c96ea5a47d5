package org.deeplearning4j.interpret.spark.bench;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.dataset.ExampleSearchState;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.spark.AttributionSpec;
import org.deeplearning4j.interpret.spark.ModelRef;
import org.deeplearning4j.interpret.spark.SparkAttribution;
import org.deeplearning4j.interpret.spark.SparkExampleSearch;
import org.deeplearning4j.interpret.spark.examples.SparkExample;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Images per second of the single-JVM methods against Spark {@code local[1]} and {@code local[2]} on the same images
 * and model, for batch attribution (saliency, integrated gradients) and the dataset-example search, and Spark's
 * overheads (session start, model restore per task thread, serialization). A harness that prints figures, not a
 * test.
 *
 * <pre>mvn -pl dl4j-interpret-spark exec:exec@spark -Dexample=org.deeplearning4j.interpret.spark.bench.SparkBenchmark
 *     -Dexample.args="2048 64"</pre>
 *
 * <p>The machine's own ceiling is printed beside: the same single-threaded matrix products on one and on two plain
 * Java threads (a machine whose two "cores" share one physical core scales far less than 2x).
 */
public final class SparkBenchmark {
    private static final int BATCH = 16;

    private SparkBenchmark() {
    }

    /** @param args images (default 2048), image side (default 64) */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        MultiLayerNetwork net = ShapesCnn.build(3, size, 4, 7);
        InputSpec spec = InputSpec.builder().shape(3, size, size).build();
        INDArray x = SyntheticShapes.builder().size(size).seed(5).build().generate(n).features();
        InterpretableModel local = Models.builder(net).inputSpec(spec).maxBatchSize(BATCH).build();
        ModelRef ref = ModelRef.of(net, spec).withMaxBatchSize(BATCH);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "SparkBenchmark: %d images %dx%dx%d, batch %d, %d cores, shapes CNN",
                n, 3, size, size, BATCH, Runtime.getRuntime().availableProcessors()));

        double[] ceiling = new double[3];
        for (int i = 0; i < ceiling.length; i++) {
            ceiling[i] = gemmScaling();
        }
        java.util.Arrays.sort(ceiling);

        // overheads that do not need a session
        long t = System.nanoTime();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ref);
        }
        double serMs = (System.nanoTime() - t) / 1e6;
        t = System.nanoTime();
        Models.builder(org.deeplearning4j.interpret.model.Models.load(tmpZip(net))).inputSpec(spec).build();
        double restoreMs = (System.nanoTime() - t) / 1e6;

        // single JVM, ND4J's default threads (all cores)
        double[] single = new double[3];
        AttributionSpec[] methods = {AttributionSpec.saliency(),
                AttributionSpec.integratedGradients(16, AttributionSpec.Reference.zeros())};
        for (int m = 0; m < methods.length; m++) {
            Attribution a = methods[m].build(local);
            a.attribute(x.get(NDArrayIndex.interval(0, BATCH)), Targets.predicted()); // warm-up
            t = System.nanoTime();
            for (int i = 0; i < n; i += BATCH) {
                a.attribute(x.get(NDArrayIndex.interval(i, Math.min(n, i + BATCH))), Targets.predicted());
            }
            single[m] = n / ((System.nanoTime() - t) / 1e9);
        }
        ExampleSearch search = ExampleSearch.builder(local).channels("relu3").k(9).build();
        t = System.nanoTime();
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < n; i += BATCH) {
            batches.add(x.get(NDArrayIndex.interval(i, Math.min(n, i + BATCH))));
        }
        search.search(batches.iterator());
        double searchSingleS = (System.nanoTime() - t) / 1e9;
        single[2] = n / searchSingleS;
        ExampleSearchState st = search.newState();
        search.update(st, x.get(NDArrayIndex.interval(0, BATCH)), java.util.stream.LongStream.range(0, BATCH)
                .toArray());
        int stateBytes = st.toBytes().length;

        double[][] spark = new double[2][3];
        double[] sessionS = new double[2];
        double[] searchSparkS = new double[2];
        for (int cores = 1; cores <= 2; cores++) {
            t = System.nanoTime();
            SparkSession s = SparkSession.builder().master("local[" + cores + "]").appName("bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            sessionS[cores - 1] = (System.nanoTime() - t) / 1e9;
            Dataset<Row> rows = SparkExample.images(s, x).repartition(cores * 4).cache();
            rows.count();
            // warm-up, as for the single JVM: each task thread opens the model and builds its graphs once (the
            // cost of that is the "model restore" overhead below)
            Dataset<Row> warm = SparkExample.images(s, x.get(NDArrayIndex.interval(0, BATCH * cores * 2)))
                    .repartition(cores * 2).cache();
            warm.count();
            for (int m = 0; m < methods.length; m++) {
                SparkAttribution.builder(ref, methods[m]).build().attribute(warm).count();
                t = System.nanoTime();
                SparkAttribution.builder(ref, methods[m]).build().attribute(rows).count();
                spark[cores - 1][m] = n / ((System.nanoTime() - t) / 1e9);
            }
            SparkExampleSearch.of(ref, b -> b.channels("relu3").k(9)).search(warm, "id", "image");
            t = System.nanoTime();
            SparkExampleSearch.of(ref, b -> b.channels("relu3").k(9)).search(rows, "id", "image");
            searchSparkS[cores - 1] = (System.nanoTime() - t) / 1e9;
            spark[cores - 1][2] = n / searchSparkS[cores - 1];
            rows.unpersist();
            warm.unpersist();
            s.stop();
        }
        lines.add("images/s            single JVM   local[1]   local[2]   local[2]/local[1]");
        String[] names = {"saliency", "IG (16 steps)", "example search"};
        for (int m = 0; m < 3; m++) {
            lines.add(String.format(Locale.ROOT, "%-18s %11.1f %10.1f %10.1f %12.2fx", names[m], single[m],
                    spark[0][m], spark[1][m], spark[1][m] / spark[0][m]));
        }
        lines.add(String.format(Locale.ROOT, "search overhead at equal cores: local[2] %.2f s vs single JVM %.2f s "
                + "(%+.0f%%)", searchSparkS[1], searchSingleS, 100 * (searchSparkS[1] / searchSingleS - 1)));
        lines.add(String.format(Locale.ROOT, "overheads: session start %.1f s (local[1]) / %.1f s (local[2]); model "
                + "restore %.0f ms per task thread; ModelRef %d bytes serialized in %.1f ms; search state %d bytes "
                + "(%d units, k=9)", sessionS[0], sessionS[1], restoreMs, bytes.size(), serMs, stateBytes,
                st.units().size()));
        lines.add(String.format(Locale.ROOT, "machine ceiling: 2 Java threads do %.2fx (%.2f-%.2f in 3 runs) the "
                + "single-threaded 512x512 matrix products of 1", ceiling[1], ceiling[0], ceiling[2]));
        for (String l : lines) {
            System.out.println(l);
        }
        Nd4j.getMemoryManager().invokeGc();
    }

    /** @return products per second on two single-threaded Java threads over one */
    private static double gemmScaling() throws InterruptedException {
        int prev = Nd4j.getEnvironment().maxThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        double[] rate = new double[2];
        for (int threads = 1; threads <= 2; threads++) {
            gemm(threads, 20);
            rate[threads - 1] = gemm(threads, 150);
        }
        Nd4j.getEnvironment().setMaxThreads(prev);
        Nd4j.getEnvironment().setMaxMasterThreads(prev);
        return rate[1] / rate[0];
    }

    private static double gemm(int threads, int reps) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        for (int k = 0; k < threads; k++) {
            ts[k] = new Thread(() -> {
                org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
                INDArray a = Nd4j.rand(512, 512);
                INDArray b = Nd4j.rand(512, 512);
                for (int i = 0; i < reps; i++) {
                    a.mmul(b);
                }
            });
        }
        long t = System.nanoTime();
        for (Thread th : ts) {
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        return threads * reps / ((System.nanoTime() - t) / 1e9);
    }

    private static java.io.File tmpZip(MultiLayerNetwork net) throws java.io.IOException {
        java.io.File f = java.io.File.createTempFile("bench", ".zip");
        f.deleteOnExit();
        net.save(f, false);
        return f;
    }
}
