package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.internal.Seeds;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mergeable search state: parts searched apart and merged in any grouping equal one search over the whole. */
class ExampleSearchStateTest {
    private static final int N = 37;
    private static InterpretableModel model;
    private static INDArray data;

    @BeforeAll
    static void setUp() {
        model = Models.builder(TrainedShapes.network())
                .inputSpec(InputSpec.builder().shape(3, TrainedShapes.SIZE, TrainedShapes.SIZE).build()).build();
        data = TrainedShapes.heldOut(N).features();
    }

    private static ExampleSearch search() {
        return ExampleSearch.builder(model).channels("conv2", 0, 1, 2).channels("gap", 5)
                .units(Unit.neuron("relu3", 5, 2, 3)).k(4).bottom(true).randomSample(5).seed(99).build();
    }

    /** Searches examples {@code from .. to-1} in batches of {@code batch}, with their positions as global ids. */
    private static ExampleSearchState part(ExampleSearch s, int from, int to, int batch) {
        ExampleSearchState st = s.newState();
        for (int i = from; i < to; i += batch) {
            int end = Math.min(to, i + batch);
            s.update(st, data.get(NDArrayIndex.interval(i, end)).dup(), LongStream.range(i, end).toArray());
        }
        return st;
    }

    private static void assertSameState(ExampleSearchState a, ExampleSearchState b) {
        assertEquals(a.examples(), b.examples());
        for (int u = 0; u < a.units().size(); u++) {
            assertEquals(a.top(u), b.top(u), "top of " + a.units().get(u));
            assertEquals(a.bottom(u), b.bottom(u), "bottom of " + a.units().get(u));
            assertEquals(a.sample(u), b.sample(u), "sample of " + a.units().get(u));
        }
    }

    @Test
    void partsMergedInAnyGroupingEqualOneSearchOverTheWhole() {
        ExampleSearch s = search();
        // batches of one example everywhere: the values are then bit-identical on any CPU (a convolution kernel
        // may round differently for another batch size), and what is tested is the merge alone
        ExampleSearchState whole = part(s, 0, N, 1);
        SplittableRandom rng = new SplittableRandom(20261201L);
        for (int trial = 0; trial < 6; trial++) {
            // random cut points, random merge order and grouping
            List<Integer> cuts = new ArrayList<>(List.of(0, N));
            int parts = 1 + rng.nextInt(6);
            while (cuts.size() < parts + 1) {
                int c = 1 + rng.nextInt(N - 1);
                if (!cuts.contains(c)) {
                    cuts.add(c);
                }
            }
            Collections.sort(cuts);
            List<ExampleSearchState> states = new ArrayList<>();
            for (int p = 0; p + 1 < cuts.size(); p++) {
                states.add(part(s, cuts.get(p), cuts.get(p + 1), 1));
            }
            Collections.shuffle(states, new java.util.Random(rng.nextLong()));
            while (states.size() > 1) {
                int i = rng.nextInt(states.size() - 1);
                states.add(i, states.remove(i).merge(states.remove(i)));
            }
            assertSameState(whole, states.get(0));
        }
    }

    @Test
    void theRandomSampleIsTheExamplesWithTheSmallestSeededHash() {
        ExampleSearchState st = part(search(), 0, N, 8);
        List<Long> expected = LongStream.range(0, N).boxed()
                .sorted(Comparator.<Long>comparingLong(id -> Seeds.mix(99, id)).thenComparing(id -> id)).limit(5)
                .collect(Collectors.toList());
        for (int u = 0; u < st.units().size(); u++) {
            assertEquals(expected, st.sample(u).stream().map(ExampleSearchState.Entry::id).toList());
        }
    }

    @Test
    void theResultOfAStateEqualsTheStreamingSearch() {
        ExampleSearch s = search();
        List<INDArray> ones = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ones.add(data.get(NDArrayIndex.interval(i, i + 1)).dup());
        }
        ExampleSearchResult streamed = s.search(ones.iterator());
        ExampleSearchState merged = part(s, 0, 11, 1).merge(part(s, 11, N, 1));
        ExampleSearchResult fromState = s.result(merged, id -> data.get(NDArrayIndex.point(id)).dup());
        for (Unit u : streamed.units()) {
            for (int list = 0; list < 3; list++) {
                List<Hit> a = list == 0 ? streamed.top(u) : list == 1 ? streamed.bottom(u) : streamed.random(u);
                List<Hit> b = list == 0 ? fromState.top(u) : list == 1 ? fromState.bottom(u) : fromState.random(u);
                assertEquals(a.size(), b.size());
                for (int j = 0; j < a.size(); j++) {
                    assertEquals(a.get(j).index(), b.get(j).index());
                    assertEquals(a.get(j).value(), b.get(j).value());
                    assertEquals(a.get(j).field(), b.get(j).field());
                    assertTrue(a.get(j).crop().equals(b.get(j).crop()));
                }
            }
        }
        assertEquals(streamed.examples(), fromState.examples());
    }

    @Test
    void binaryAndJavaSerializationRoundTripExactly() throws Exception {
        ExampleSearchState st = part(search(), 0, N, 6);
        assertSameState(st, ExampleSearchState.fromBytes(st.toBytes()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(st);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertSameState(st, (ExampleSearchState) in.readObject());
        }
        // compact: the options and 3 lists of (double, long, int, int) per unit, no images
        assertTrue(st.toBytes().length < 2000, "state of " + st.toBytes().length + " bytes");
    }

    @Test
    void mismatchedStatesIdsAndMissingImagesGetClearErrors() {
        ExampleSearch s = search();
        ExampleSearchState other = ExampleSearch.builder(model).channels("conv2", 0).build().newState();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.newState().merge(other));
        assertTrue(e.getMessage().contains("different searches"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> s.update(s.newState(), data.get(NDArrayIndex.interval(0, 3)), new long[] {0, 1}));
        assertTrue(e.getMessage().contains("3 examples, 2 ids"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.result(s.newState(), id -> null));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        ExampleSearchState st = part(s, 0, 5, 5);
        e = assertThrows(IllegalArgumentException.class, () -> s.result(st, id -> null));
        assertTrue(e.getMessage().contains("retained example id"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExampleSearchState.fromBytes(new byte[] {1, 2, 3}));
    }
}
