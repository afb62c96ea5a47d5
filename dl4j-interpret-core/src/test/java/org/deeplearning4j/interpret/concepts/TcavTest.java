package org.deeplearning4j.interpret.concepts;

import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCAV on the CNN trained on synthetic shapes, where the answer is known: the class is decided by the shape alone, so
 * the concept "triangle" (triangle images) must score high for the triangle class, and concepts made of random images
 * must not pass the test.
 */
class TcavTest {
    private static final int TRIANGLE = 2;
    private static InterpretableModel model;
    private static SyntheticShapes.Sample pool;

    @BeforeAll
    static void trainedModel() {
        model = Models.of(TrainedShapes.network());
        pool = SyntheticShapes.builder().size(TrainedShapes.SIZE).seed(2026).build().generate(1200);
    }

    /** Up to {@code n} images of one class (or of any class for -1) from the pool, from position {@code from}. */
    private static INDArray images(int cls, int from, int n) {
        List<Long> idx = new ArrayList<>();
        int[] classes = pool.classes();
        for (int i = from; i < classes.length && idx.size() < n; i++) {
            if (cls < 0 || classes[i] == cls) {
                idx.add((long) i);
            }
        }
        return pool.features().get(NDArrayIndex.indices(idx.stream().mapToLong(Long::longValue).toArray()));
    }

    @Test
    void theShapeThatDecidesTheClassScoresHighestAndRandomConceptsDoNotPass() {
        List<INDArray> randomSets = new ArrayList<>();
        for (int r = 0; r < 16; r++) {
            randomSets.add(images(-1, 300 + 40 * r, 20)); // any class: what a random set of images looks like
        }
        Map<String, INDArray> concepts = new LinkedHashMap<>();
        concepts.put("triangle", images(TRIANGLE, 0, 20));
        for (int c = 0; c < 6; c++) {
            concepts.put("random images " + c, images(-1, 960 + 40 * c, 20));
        }
        TcavResult r = Tcav.builder(model).layer("relu2").build()
                .test(images(TRIANGLE, 100, 30), Targets.logit(TRIANGLE), concepts, randomSets);
        org.slf4j.LoggerFactory.getLogger(TcavTest.class).info("{}", r);
        ConceptScore triangle = r.concept("triangle");
        assertTrue(triangle.mean() > 0.9, triangle.toString());
        // random concepts are calibrated: none of six passes; the shape that decides the class is the clearest
        // outlier of all (with 16 random sets its p-value is about 0.06: more random sets give the test more power)
        for (ConceptScore c : r.concepts()) {
            if (c.concept().startsWith("random")) {
                assertFalse(c.significant(), c + " passes: " + r);
                assertTrue(c.mean() < triangle.mean() && c.pValue() > 2 * triangle.pValue(), c + " vs " + triangle);
            }
        }
        assertEquals(16, triangle.scores().length);
        for (double a : triangle.cavAccuracies()) {
            assertTrue(a > 0.9, "the triangle CAV does not separate triangles from random images: " + a);
        }
        assertTrue(r.toCsv().startsWith("concept,repetition,tcav_score"));
        String page = org.deeplearning4j.interpret.render.TcavPage.toHtml(r, "tcav");
        assertTrue(page.contains("<svg") && page.contains("triangle") && page.contains("random images"), page);
        assertEquals("relu2", r.layer());
    }

    @Test
    void layersSetsAndOptionsAreCheckedBeforeAnyActivationIsComputed() {
        INDArray some = images(-1, 0, 4);
        assertThrows(IllegalArgumentException.class, () -> Tcav.builder(model).build(), "no layer");
        assertThrows(IllegalArgumentException.class, () -> Tcav.builder(model).layer("relu9").build());
        assertThrows(IllegalArgumentException.class, () -> Tcav.builder(model).layer("relu3").alpha(1).build());
        Tcav t = Tcav.builder(model).layer("relu3").build();
        List<Object> events = new ArrayList<>();
        Tcav watched = Tcav.builder(model).layer("relu3").progress(events::add).build();
        assertThrows(IllegalArgumentException.class,
                () -> t.test(some, Targets.logit(0), Map.of(), List.of(some, some, some)), "no concept");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> watched.test(some, Targets.logit(0), Map.of("c", some), List.of(some, some)));
        assertTrue(e.getMessage().contains("3 random sets"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> watched.test(some, Targets.logit(0),
                Map.of("c", some.get(NDArrayIndex.interval(0, 1))), List.of(some, some, some)));
        assertTrue(e.getMessage().contains("concept 'c'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> watched.test(some, Targets.logit(7), Map.of("c", some), List.of(some, some, some)));
        assertTrue(events.isEmpty(), "work started before the checks");
    }

    @Test
    void theTestIsTwoSidedAndConstantRandomMeansAreComparedByValue() {
        assertEquals(1.0, Tcav.pValue(new double[] {0.5, 0.5}, new double[] {0.5, 0.5, 0.5}));
        assertEquals(0.0, Tcav.pValue(new double[] {1, 1}, new double[] {0.5, 0.5, 0.5}));
        double[] random = {0.5, 0.4, 0.6, 0.45, 0.55};
        double high = Tcav.pValue(new double[] {0.9, 0.8}, random);
        double low = Tcav.pValue(new double[] {0.1, 0.2}, random);
        assertEquals(high, low, 1e-12, "two-sided: symmetric around the random mean");
        assertTrue(high < 0.05, "0.85 is an outlier among means 0.4..0.6: " + high);
        assertTrue(Tcav.pValue(new double[] {0.5}, random) > 0.9);
    }
}
