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
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
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
 * ExampleSearchResult r = SparkExampleSearch.builder(ModelRef.of(net, spec)).channels("conv3").k(9).build()
 *         .search(images, "id", "image");
 * }</pre>
 */
public final class SparkExampleSearch implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(SparkExampleSearch.class);
    /** Depth of the merge tree (Spark's default for treeReduce). */
    public static final int DEFAULT_MERGE_DEPTH = 2;

    private final ModelRef model;
    private final List<String> allChannels;
    private final List<Unit> units;
    private final int k;
    private final boolean bottom;
    private final int randomSample;
    private final long seed;
    private final ExampleSearch.Reduction reduction;
    private final int mergeDepth;

    private SparkExampleSearch(Builder b) {
        this.model = b.model;
        this.allChannels = List.copyOf(b.allChannels);
        this.units = List.copyOf(b.units);
        this.k = b.k;
        this.bottom = b.bottom;
        this.randomSample = b.randomSample;
        this.seed = b.seed;
        this.reduction = b.reduction;
        this.mergeDepth = b.mergeDepth;
    }

    /** @param model the model @return a builder */
    public static Builder builder(ModelRef model) {
        return new Builder(model);
    }

    /** The same search on a model: the options are applied to the core builder, which validates them. */
    ExampleSearch on(InterpretableModel m) {
        ExampleSearch.Builder b = ExampleSearch.builder(m).k(k).bottom(bottom).randomSample(randomSample).seed(seed)
                .reduction(reduction);
        allChannels.forEach(b::channels);
        b.units(units.toArray(new Unit[0]));
        return b.build();
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
        int max = model.batchSize();
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
            INDArray x = local.prepareInput(reader.batch((float[]) g[1], 1));
            out.put(i, x.get(NDArrayIndex.point(0)).dup());
        }
        return out;
    }

    /** Options, those of {@link ExampleSearch.Builder}. */
    public static final class Builder {
        private final ModelRef model;
        private final List<String> allChannels = new ArrayList<>();
        private final List<Unit> units = new ArrayList<>();
        private int k = ExampleSearch.DEFAULT_K;
        private boolean bottom;
        private int randomSample;
        private long seed = 12345L;
        private ExampleSearch.Reduction reduction = ExampleSearch.Reduction.MAX;
        private int mergeDepth = DEFAULT_MERGE_DEPTH;

        private Builder(ModelRef model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /** @param layer a layer whose every channel is searched @return this */
        public Builder channels(String layer) {
            allChannels.add(layer);
            return this;
        }

        /** @param layer layer @param channels channel indices @return this */
        public Builder channels(String layer, int... channels) {
            for (int c : channels) {
                units.add(Unit.channel(layer, c));
            }
            return this;
        }

        /** @param u units (channels or neurons) @return this */
        public Builder units(Unit... u) {
            units.addAll(Arrays.asList(u));
            return this;
        }

        /** @param k examples kept per unit @return this */
        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /** @param keep also keep the k lowest examples @return this */
        public Builder bottom(boolean keep) {
            this.bottom = keep;
            return this;
        }

        /** @param n size of the seeded random sample per unit @return this */
        public Builder randomSample(int n) {
            this.randomSample = n;
            return this;
        }

        /** @param s seed of the random sample @return this */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @param r channel reduction over space @return this */
        public Builder reduction(ExampleSearch.Reduction r) {
            this.reduction = r;
            return this;
        }

        /** @param depth depth of Spark's merge tree (default {@value #DEFAULT_MERGE_DEPTH}) @return this */
        public Builder mergeDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("mergeDepth must be >= 1, got " + depth);
            }
            this.mergeDepth = depth;
            return this;
        }

        /** @return the search (units are checked against the model when it runs, before any work) */
        public SparkExampleSearch build() {
            if (allChannels.isEmpty() && units.isEmpty()) {
                throw new IllegalArgumentException("No units requested: call channels(...) or units(...)");
            }
            return new SparkExampleSearch(this);
        }
    }
}
