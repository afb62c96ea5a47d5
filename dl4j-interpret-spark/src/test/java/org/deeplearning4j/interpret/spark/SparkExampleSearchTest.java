package org.deeplearning4j.interpret.spark;

import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.dataset.ExampleSearchResult;
import org.deeplearning4j.interpret.dataset.Hit;
import org.deeplearning4j.interpret.dataset.Unit;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark search equals the single-JVM search bit for bit, for any partitioning. */
class SparkExampleSearchTest {
    private static final int N = 30;
    private static INDArray x;
    private static InterpretableModel local;

    @BeforeAll
    static void setUp() {
        x = SparkFixtures.images(N);
        local = Models.builder(SparkFixtures.network()).inputSpec(SparkFixtures.SPEC).build();
    }

    private static SparkExampleSearch spark(ModelRef ref) {
        return SparkExampleSearch.of(ref, b -> b.channels("conv2", 0, 3, 7).channels("gap", 5)
                .units(Unit.neuron("relu3", 2, 3, 1)).k(5).bottom(true).randomSample(4).seed(11));
    }

    private static ExampleSearchResult single(int batch) {
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < N; i += batch) {
            batches.add(x.get(NDArrayIndex.interval(i, Math.min(N, i + batch))).dup());
        }
        return ExampleSearch.builder(local).channels("conv2", 0, 3, 7).channels("gap", 5)
                .units(Unit.neuron("relu3", 2, 3, 1)).k(5).bottom(true).randomSample(4).seed(11).build()
                .search(batches.iterator());
    }

    private static void assertSame(ExampleSearchResult a, ExampleSearchResult b, boolean exact) {
        assertEquals(a.units(), b.units());
        assertEquals(a.examples(), b.examples());
        for (Unit u : a.units()) {
            for (int list = 0; list < 3; list++) {
                List<Hit> ha = list == 0 ? a.top(u) : list == 1 ? a.bottom(u) : a.random(u);
                List<Hit> hb = list == 0 ? b.top(u) : list == 1 ? b.bottom(u) : b.random(u);
                assertEquals(ha.size(), hb.size());
                for (int j = 0; j < ha.size(); j++) {
                    String what = u + " list " + list + " rank " + j;
                    assertEquals(ha.get(j).index(), hb.get(j).index(), what);
                    if (exact) {
                        assertEquals(ha.get(j).value(), hb.get(j).value(), 0.0, what);
                        assertTrue(ha.get(j).crop().equals(hb.get(j).crop()), what);
                    } else {
                        assertEquals(ha.get(j).value(), hb.get(j).value(), 1e-5 * Math.max(1, Math.abs(ha.get(j)
                                .value())), what);
                        assertTrue(ha.get(j).crop().equalsWithEps(hb.get(j).crop(), 1e-6), what);
                    }
                    assertEquals(ha.get(j).y(), hb.get(j).y(), what);
                    assertEquals(ha.get(j).field(), hb.get(j).field(), what);
                }
            }
        }
    }

    @Test
    void theSearchEqualsTheSingleJvmSearchBitForBitForOneTwoAndSevenPartitions() {
        // batches of one on both sides: each example's activations are then computed exactly alike on any CPU
        ModelRef ref = ModelRef.of(SparkFixtures.network(), SparkFixtures.SPEC).withMaxBatchSize(1);
        ExampleSearchResult expected = single(1);
        for (int partitions : new int[] {1, 2, 7}) {
            assertSame(expected, spark(ref).search(SparkFixtures.rows(x, partitions), "id", "image"), true);
        }
    }

    @Test
    void batchedPartitionsAgreeWithTheSingleJvmSearchToFloatRounding() {
        ModelRef ref = ModelRef.of(SparkFixtures.network(), SparkFixtures.SPEC).withMaxBatchSize(8);
        assertSame(single(8), spark(ref).withMergeDepth(3).search(SparkFixtures.rows(x, 7), "id", "image"),
                false);
    }

    @Test
    void aModelIsOpenedOncePerTaskThreadAndKeptForItsLaterTasks() {
        // a batch size no other test uses: a pool key of its own
        ModelRef ref = ModelRef.of(SparkFixtures.network(), SparkFixtures.SPEC).withMaxBatchSize(3);
        assertEquals(ref.checksum(), ModelRef.of(SparkFixtures.network(), null).checksum(),
                "the same network serialized twice has one checksum");
        Dataset<Row> d = SparkFixtures.rows(x, 7).cache();
        d.count();
        long before = ModelPool.opens();
        Set<Long> threads = new HashSet<>();
        for (int job = 0; job < 3; job++) {
            threads.addAll(d.javaRDD().mapPartitions(rows -> {
                ModelPool.get(ref);
                return List.of(Thread.currentThread().getId()).iterator();
            }).collect());
        }
        assertEquals(threads.size(), ModelPool.opens() - before, "opens for task threads " + threads);
        assertTrue(threads.size() < 21, "21 tasks ran on " + threads.size() + " threads");
        d.unpersist();
    }

    @Test
    void aBadImageFailsTheJobNamingItsIdAndDuplicateIdsAreRefused() {
        ModelRef ref = ModelRef.of(SparkFixtures.network(), SparkFixtures.SPEC).withMaxBatchSize(4);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            float[] v = x.get(NDArrayIndex.point(i)).dup('c').data().asFloat();
            rows.add(org.apache.spark.sql.RowFactory.create((long) (10 + i), i == 5 ? new float[3] : v));
        }
        Dataset<Row> d = SparkFixtures.spark().createDataFrame(rows, SparkFixtures.floatSchema()).repartition(3);
        SparkException e = assertThrows(SparkException.class, () -> spark(ref).search(d, "id", "image"));
        assertTrue(e.getMessage().contains("Image id=15"), e.getMessage());
        Dataset<Row> twice = SparkFixtures.rows(x.get(NDArrayIndex.interval(0, 6)), 2)
                .union(SparkFixtures.rows(x.get(NDArrayIndex.interval(0, 6)), 1));
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> spark(ref).search(twice, "id", "image"));
        assertTrue(dup.getMessage().contains("more than once"), dup.getMessage());
        Dataset<Row> strings = SparkFixtures.rows(x.get(NDArrayIndex.interval(0, 2)), 1)
                .withColumn("id", org.apache.spark.sql.functions.col("id").cast("string"));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> spark(ref).search(strings, "id", "image"));
        assertTrue(type.getMessage().contains("monotonically_increasing_id"), type.getMessage());
        IllegalArgumentException unit = assertThrows(IllegalArgumentException.class,
                () -> SparkExampleSearch.of(ref, b -> b.channels("conv2", 999)).search(d, "id", "image"));
        assertTrue(unit.getMessage().contains("Channel 999"), unit.getMessage());
    }
}
