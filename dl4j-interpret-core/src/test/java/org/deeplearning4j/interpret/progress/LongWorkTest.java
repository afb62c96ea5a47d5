package org.deeplearning4j.interpret.progress;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.attribution.ScoreCam;
import org.deeplearning4j.interpret.blocks.BuildingBlocks;
import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TrainedShapes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Long work reports progress to a listener, and works in chunks whose size does not change the answer. */
class LongWorkTest {

    private static void complete(List<Progress> seen, long total, String what) {
        assertFalse(seen.isEmpty(), what + " reported no progress");
        Progress last = seen.get(seen.size() - 1);
        assertEquals(total, last.total(), what);
        assertEquals(total, last.done(), what);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).done() >= seen.get(i - 1).done(), what + " went backwards");
        }
    }

    private static InterpretableModel shapes() {
        return Models.builder(TrainedShapes.network()).inputSpec(org.deeplearning4j.interpret.model.InputSpec
                .builder().shape(3, TrainedShapes.SIZE, TrainedShapes.SIZE).build()).build();
    }

    @Test
    void everyLongMethodTellsItsListenerUntilDone() {
        InterpretableModel m = shapes();
        INDArray x = TrainedShapes.heldOut(2).features();
        List<Progress> ig = new ArrayList<>();
        IntegratedGradients.builder(m).steps(10).progress(ig::add).build().attribute(x, Targets.predicted());
        complete(ig, 20, "integrated gradients");
        List<Progress> nt = new ArrayList<>();
        NoiseTunnel.builder(m, Saliency.of(m)).samples(5).maxBatchSize(2).progress(nt::add).build()
                .attribute(x, Targets.predicted());
        complete(nt, 10, "noise tunnel");
        assertEquals(6, nt.size(), "3 chunks per example");
        List<Progress> occ = new ArrayList<>();
        Occlusion.builder(m).window(8).stride(8).progress(occ::add).build().attribute(x, Targets.predicted());
        complete(occ, 2 * 16, "occlusion");
        List<Progress> sc = new ArrayList<>();
        ScoreCam.builder(m).layer("conv3").maxBatchSize(8).progress(sc::add).build().attribute(x, Targets.predicted());
        complete(sc, 2 * 32, "score-cam");
        List<Progress> fv = new ArrayList<>();
        FeatureVisualization.builder().steps(5).progress(fv::add).build().run(m, Objectives.channel("conv3", 1));
        complete(fv, 5, "feature visualization");
        List<Progress> search = new ArrayList<>();
        ExampleSearch.builder(m).channels("conv3", 0, 1).progress(search::add, 6).build()
                .search(List.of(TrainedShapes.heldOut(4).features(), TrainedShapes.heldOut(2).features()).iterator());
        complete(search, 6, "example search");
        List<Progress> bb = new ArrayList<>();
        BuildingBlocks.builder(m, "pool2").groups(0).steps(2).progress(bb::add).build()
                .explain(x.get(NDArrayIndex.interval(0, 1)));
        complete(bb, 8 * 8 + 3, "building blocks");
    }

    @Test
    void noiseTunnelGivesTheSameAnswerForEveryChunkSizeAndBatch() {
        InterpretableModel m = Models.of(TrainedShapes.network());
        INDArray x = TrainedShapes.heldOut(3).features();
        for (NoiseTunnel.Type type : NoiseTunnel.Type.values()) {
            AttributionResult ref = NoiseTunnel.builder(m, Saliency.of(m)).type(type).samples(7).maxBatchSize(7).build()
                    .attribute(x, Targets.predicted());
            for (int chunk : new int[] {1, 3}) {
                AttributionResult r = NoiseTunnel.builder(m, Saliency.of(m)).type(type).samples(7).maxBatchSize(chunk)
                        .build().attribute(x, Targets.predicted());
                double scale = ref.attributions().amaxNumber().doubleValue();
                assertTrue(r.attributions().sub(ref.attributions()).amaxNumber().doubleValue() < 1e-5 * scale,
                        type + " with chunks of " + chunk);
            }
            AttributionResult alone = NoiseTunnel.builder(m, Saliency.of(m)).type(type).samples(7).build()
                    .attribute(x.get(NDArrayIndex.interval(2, 3)), Targets.predicted());
            double scale = ref.attributions().amaxNumber().doubleValue();
            assertTrue(alone.attributions().slice(0).sub(ref.attributions().slice(2)).amaxNumber().doubleValue()
                    < 1e-5 * scale, type + ": the third example alone differs from the same example in a batch");
        }
        assertThrows(IllegalArgumentException.class, () -> NoiseTunnel.builder(m, Saliency.of(m)).maxBatchSize(-1)
                .build());
    }

    @Test
    void occlusionRefusesAStrideThatLeavesPixelsUncovered() {
        InterpretableModel m = Models.of(TrainedShapes.network());
        String msg = assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(m).window(4).stride(12)
                .build()).getMessage();
        assertTrue(msg.contains("stride 12x12") && msg.contains("window 4x4") && msg.contains("at most"), msg);
    }

    @Test
    void buildingBlocksRefusesNeuronGroupsOnNegativeActivationsBeforeAnyOptimisation() {
        InterpretableModel m = shapes();
        INDArray x = TrainedShapes.heldOut(1).features();
        List<Progress> seen = new ArrayList<>();
        // bn2 is a batch normalization without ReLU: negative values
        String msg = assertThrows(IllegalArgumentException.class, () -> BuildingBlocks.builder(m, "bn2").groups(2)
                .steps(2).progress(seen::add).build().explain(x)).getMessage();
        assertTrue(msg.contains("non-negative") && msg.contains("bn2"), msg);
        assertTrue(seen.isEmpty(), "work started before the check");
    }
}
