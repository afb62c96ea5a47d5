package org.deeplearning4j.interpret.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.ExampleSearchState;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link ExampleSearch} over a Spark {@code Dataset<Row>}: every partition is searched on its executor into an
 * {@link ExampleSearchState} (values, global ids and positions, no images), the states are combined with
 * {@code treeReduce}, and only the retained examples' images are fetched at the end to cut the crops on the driver.
 * The merge is exact, so the result is the single-JVM search's over the same images with the same ids, whatever the
 * partitioning. Ids must be unique integers (e.g. {@code functions.monotonically_increasing_id()}).
 *
 * <p>Erhan, Bengio, Courville &amp; Vincent 2009; Zeiler &amp; Fergus 2014 (top-k patches per channel).
 *
 * <pre>{@code
 * ExampleSearchResult r = SparkExampleSearch.of(ModelRef.of(net, spec), b -> b.channels("conv3").k(9))
 *         .search(images, "id", "image");
 * }</pre>
 */
public final class SparkExampleSearch implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(SparkExampleSearch.class);
    /** Depth of the merge tree (Spark's default for treeReduce). */
    public static final int DEFAULT_MERGE_DEPTH = 2;

    private final ModelRef model;
    private final Options options;
    private final int mergeDepth;

    /**
     * The search's options as a serializable function of the core builder, so that every executor builds the same
     * {@link ExampleSearch} on its copy of the model, e.g. {@code b -> b.channels("conv3").k(9).bottom(true)}.
     */
    @FunctionalInterface
    public interface Options extends Serializable {
        /**
         * @param b the core builder for one model
         * @return it, configured
         */
        ExampleSearch.Builder apply(ExampleSearch.Builder b);
    }

    private SparkExampleSearch(ModelRef model, Options options, int mergeDepth) {
        if (model == null || options == null) {
            throw new IllegalArgumentException("model and options must be given, e.g. b -> b.channels(\"conv3\")");
        }
        if (mergeDepth < 1) {
            throw new IllegalArgumentException("mergeDepth must be >= 1, got " + mergeDepth);
        }
        this.model = model;
        this.options = options;
        this.mergeDepth = mergeDepth;
    }

    /**
     * @param model the model
     * @param options the core search's options, e.g. {@code b -> b.channels("conv3").k(9)} (checked against the
     *                model on the driver before any work)
     * @return the search, merging with Spark's default tree depth ({@value #DEFAULT_MERGE_DEPTH})
     */
    public static SparkExampleSearch of(ModelRef model, Options options) {
        return new SparkExampleSearch(model, options, DEFAULT_MERGE_DEPTH);
    }

    /**
     * @param depth depth of Spark's merge tree
     * @return a copy with that depth
     */
    public SparkExampleSearch withMergeDepth(int depth) {
        return new SparkExampleSearch(model, options, depth);
    }

    /** The same search on a model: the options are applied to the core builder, which validates them. */
    ExampleSearch on(InterpretableModel m) {
        return options.apply(ExampleSearch.builder(m)).build();
    }

    /**
     * @param images rows with a unique integer id and an image ({@code array<float>} NCHW in the model's input
     *               space, or binary PNG/JPEG)
     * @param idColumn the id column (bigint or int, unique)
     * @param imageColumn the image column
     * @return the result, equal to {@link ExampleSearch#search} over the same images with these ids
     * @throws IllegalArgumentException on a missing or mistyped column, bad options or an empty dataset
     */
    public ExampleSearchResult search(Dataset<Row> images, String idColumn, String imageColumn) {
        InterpretableModel local = ModelPool.get(model);
        ExampleSearch search = on(local);
        InputSpec spec = local.inputSpec();
        ImageRows.check(images, idColumn, imageColumn, spec, true);
        Dataset<Row> selected = images.select(functions.col(idColumn).cast("long").as(idColumn),
                functions.col(imageColumn));
        ImageRows reader = ImageRows.check(selected, idColumn, imageColumn, spec, true);
        ExecutorSettings settings = ExecutorSettings.of(images.sparkSession());
        long started = System.nanoTime();
        JavaRDD<InternalRow> rows = selected.queryExecution().toRdd().toJavaRDD();
        SparkExampleSearch self = this;
        ExampleSearchState state = rows.mapPartitions(part -> List.of(self.partial(part, reader, settings))
                .iterator()).treeReduce(ExampleSearchState::merge, mergeDepth);
        if (state.examples() == 0) {
            throw new IllegalArgumentException("The dataset is empty: no examples to search");
        }
        long searched = System.nanoTime();
        Set<Long> ids = state.retainedIds();
        Map<Long, INDArray> crops = fetch(selected, idColumn, ids, reader, local);
        log.info("Spark example search: {} examples, {} units; partitions in {} s, {} retained images fetched in {} s",
                state.examples(), state.units().size(), String.format(java.util.Locale.ROOT, "%.1f",
                        (searched - started) / 1e9), ids.size(), String.format(java.util.Locale.ROOT, "%.1f",
                        (System.nanoTime() - searched) / 1e9));
        return search.result(state, crops::get);
    }

    /** One partition's state: its rows in batches of the model's batch size, with their global ids. */
    ExampleSearchState partial(Iterator<InternalRow> rows, ImageRows reader, ExecutorSettings settings) {
        settings.apply();
        InterpretableModel m = ModelPool.get(model);
        ExampleSearch search = on(m);
        ExampleSearchState state = search.newState();
        InputSpec spec = m.inputSpec();
        int max = model.maxBatchSize();
        float[] values = new float[(int) (max * reader.imageLength())];
        long[] ids = new long[max];
        long readNs = 0;
        long searchNs = 0;
        while (rows.hasNext()) {
            int n = 0;
            long t0 = System.nanoTime();
            while (n < max && rows.hasNext()) {
                InternalRow r = rows.next();
                ids[n] = (Long) reader.id(r, 0);
                reader.copy(r, 1, ids[n], values, n, spec);
                n++;
            }
            long t1 = System.nanoTime();
            readNs += t1 - t0;
            try {
                search.update(state, reader.batch(values, n), Arrays.copyOf(ids, n));
                searchNs += System.nanoTime() - t1;
            } catch (RuntimeException e) {
                throw new IllegalStateException("Example search failed on the batch of images with ids " + ids[0]
                        + " .. " + ids[n - 1] + ": " + e.getMessage(), e);
            }
        }
        log.debug("Partition of {} examples: rows read in {} ms, searched in {} ms", state.examples(),
                readNs / 1_000_000, searchNs / 1_000_000);
        return state;
    }

    /** Fetches the retained examples' images (in the model's input space) to the driver. */
    private static Map<Long, INDArray> fetch(Dataset<Row> selected, String idColumn, Set<Long> ids,
            ImageRows reader, InterpretableModel local) {
        Column id = selected.col(selected.columns()[0]);
        Dataset<Row> winners = selected.where(id.isin(ids.toArray()));
        InputSpec spec = local.inputSpec();
        List<Object[]> got = winners.queryExecution().toRdd().toJavaRDD().map(r -> {
            long i = (Long) reader.id(r, 0);
            float[] v = new float[(int) reader.imageLength()];
            reader.copy(r, 1, i, v, 0, spec);
            return new Object[] {i, v};
        }).collect();
        Map<Long, INDArray> out = new HashMap<>();
        for (Object[] g : got) {
            long i = (Long) g[0];
            if (out.containsKey(i)) {
                throw new IllegalArgumentException("Example id " + i + " occurs more than once in column '"
                        + idColumn + "': ids must be unique");
            }
            INDArray x = local.spi().prepareInput(reader.batch((float[]) g[1], 1));
            out.put(i, x.get(NDArrayIndex.point(0)).dup());
        }
        return out;
    }
}
