package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MethodScorecardTest {

    @Test
    void aScorecardOverAnIteratorStopsAtItsLimitAndEqualsTheMetricRunDirectly() {
        InterpretableModel m = Models.of(TrainedShapes.network());
        org.deeplearning4j.interpret.data.SyntheticShapes.Sample sample = TrainedShapes.heldOut(6);
        ScorecardResult s = MethodScorecard.builder(m).method("Saliency", Saliency::of)
                .metrics(MethodScorecard.Metric.DELETION).limit(4).steps(4).randomOrders(2).build()
                .run(new ListDataSetIterator<>(sample.toDataSet().asList(), 3));
        MetricResult auc = s.value("Saliency", "deletion AUC").orElseThrow();
        assertEquals(4, auc.size());
        INDArray x = sample.features().get(NDArrayIndex.interval(0, 4));
        int[] cls = m.logits(x).argMax(1).toIntVector();
        Curves direct = DeletionInsertion.builder(m).steps(4).randomOrders(2).kinds(DeletionInsertion.Kind.DELETION)
                .build().evaluate(x, Saliency.of(m).attribute(x, Targets.logits(cls)), Targets.probabilities(cls))
                .deletion();
        for (int i = 0; i < 4; i++) {
            assertEquals(direct.auc().getDouble(i), auc.value(i), 1e-6, "image " + i);
        }
        assertTrue(s.curves("Saliency").containsKey("deletion"));
    }

    @Test
    void aScorecardRunsOverAnImageFolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        InterpretableModel m = Models.builder(TrainedShapes.network()).inputSpec(org.deeplearning4j.interpret.model
                .InputSpec.builder().shape(3, TrainedShapes.SIZE, TrainedShapes.SIZE).build()).build();
        INDArray x = TrainedShapes.heldOut(3).features();
        for (int i = 0; i < 3; i++) {
            org.deeplearning4j.interpret.render.Heatmaps.writePng(org.deeplearning4j.interpret.render.Heatmaps
                    .inputImage(x.slice(i), m.inputSpec()), dir.resolve("img" + i + ".png").toFile());
        }
        org.deeplearning4j.interpret.dataset.ImageFolder folder = new org.deeplearning4j.interpret.dataset
                .ImageFolder(dir.toFile(), m.inputSpec(), 2);
        ScorecardResult s = MethodScorecard.builder(m).method("Saliency", Saliency::of)
                .metrics(MethodScorecard.Metric.INSERTION).steps(4).build().run(folder.iterator());
        assertEquals(3, s.value("Saliency", "insertion AUC").orElseThrow().size());
        assertEquals("3", s.options().get("images"));
    }

    @Test
    void localizationWithoutMasksIsRefusedBeforeAnyWork() {
        InterpretableModel m = Models.of(TrainedShapes.network());
        MethodScorecard card = MethodScorecard.builder(m).method("Saliency", Saliency::of)
                .metrics(MethodScorecard.Metric.LOCALIZATION).build();
        String msg = assertThrows(IllegalArgumentException.class, () -> card.run(TrainedShapes.heldOut(2)
                .features())).getMessage();
        assertTrue(msg.contains("masks"), msg);
        assertThrows(IllegalArgumentException.class, () -> MethodScorecard.builder(m).method("a", Saliency::of)
                .method("a", Saliency::of));
    }
}
