package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.examples.CustomObjectiveExample.CentredChannel;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.featurevis.Transforms;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user-written objective, outside the library's package, works like the built-in ones. */
class CustomObjectiveExampleTest {
    private static final String LAYER = "conv3";
    private static InterpretableModel model;

    @BeforeAll
    static void randomCnn() {
        model = Models.builder(ShapesCnn.build(32, 11)).inputSpec(InputSpec.builder().shape(3, 32, 32).build())
                .build();
    }

    private static FeatureVisResult run(Objective o) {
        return FeatureVisualization.builder().steps(8).learningRate(0.01).transforms(Transforms.none()).seed(4)
                .thresholds(0).logProgress(false).build().run(model, o);
    }

    @Test
    void aFlatCentredChannelIsTheBuiltInChannelMeanInValueAndInEveryOptimisationStep() {
        Nd4j.getRandom().setSeed(3);
        INDArray images = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        Objective flat = new CentredChannel(LAYER, 5, Double.POSITIVE_INFINITY);
        INDArray ours = FeatureVisualization.evaluate(model, flat, images);
        INDArray builtIn = FeatureVisualization.evaluate(model, Objectives.channel(LAYER, 5), images);
        assertTrue(ours.equalsWithEps(builtIn, 1e-5), ours + " vs " + builtIn);
        // equal gradients give equal optimisation paths from the same start
        INDArray a = run(flat).images();
        INDArray b = run(Objectives.channel(LAYER, 5)).images();
        double diff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, "optimised images differ by " + diff);
    }

    @Test
    void aCentredChannelRisesUnderOptimisation() {
        Objective centred = new CentredChannel(LAYER, 2, 0.15);
        FeatureVisResult r = run(centred);
        INDArray before = FeatureVisualization.evaluate(model, centred, r.snapshots().get(0));
        assertTrue(r.values().getDouble(0) > before.getDouble(0), "before " + before + ", after " + r.values());
    }

    @Test
    void aChannelOutsideTheLayerIsRefusedBeforeAnyStepNamingTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(new CentredChannel(LAYER, 999, 0.2)));
        assertTrue(e.getMessage().contains(LAYER) && e.getMessage().contains("999"), e.getMessage());
    }
}
