package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.DeepLift;
import org.deeplearning4j.interpret.check.GradientCheck;
import org.deeplearning4j.interpret.check.GradientCheckResult;
import org.deeplearning4j.interpret.targets.Targets;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ops that model imports contain, on the library's own backward rules: finite differences in double precision. */
class SameDiffImportOpsTest {

    /** input -> batch norm (constants, axis 1) -> relu -> flatten -> matmul with a transposed constant -> logits. */
    private static SameDiff graph(boolean batchNorm) {
        SameDiff s = SameDiff.create();
        Nd4j.getRandom().setSeed(1);
        SDVariable in = s.placeHolder("input", DataType.DOUBLE, -1, 2, 4, 4);
        SDVariable h = in;
        if (batchNorm) {
            h = s.nn().batchNorm("bn", in, s.constant(Nd4j.rand(DataType.DOUBLE, 2)),
                    s.constant(Nd4j.rand(DataType.DOUBLE, 2).addi(0.5)), s.constant(Nd4j.rand(DataType.DOUBLE, 2)
                            .addi(0.5)), s.constant(Nd4j.rand(DataType.DOUBLE, 2).subi(0.5)), 1e-5, 1);
        }
        SDVariable flat = s.reshape("flat", s.nn().relu("relu", h, 0), -1, 32);
        s.mmul("logits", flat, s.constant("w", Nd4j.rand(DataType.DOUBLE, 3, 32).subi(0.5)), false, true, false);
        return s;
    }

    private static InterpretableModel model(boolean batchNorm) {
        return Models.builder(graph(batchNorm), "input", "logits").inputSpec(InputSpec.builder().shape(2, 4, 4)
                .build()).build();
    }

    @Test
    void batchNormAndATransposedMatmulPassTheFiniteDifferenceCheck() {
        for (boolean bn : new boolean[] {false, true}) {
            GradientCheckResult r = GradientCheck.of(model(bn)).run(Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 4),
                    Targets.logit(1));
            assertTrue(r.passed(), "batch norm " + bn + ": " + r.maxRelativeError());
        }
    }

    @Test
    void deepLiftSumsToTheChangeThroughBatchNorm() {
        InterpretableModel m = model(true);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 4);
        INDArray ref = Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 4).muli(0.2);
        AttributionResult r = DeepLift.builder(m).baselines(Baselines.image(ref)).build().attribute(x,
                Targets.logit(0));
        INDArray change = m.logits(x).getColumn(0).sub(m.logits(ref).getColumn(0));
        double gap = Transforms.abs(r.attributions().reshape(3, -1).sum(1).sub(change)).maxNumber().doubleValue();
        assertTrue(gap < 1e-9, "summation to delta: gap " + gap);
    }
}
