package org.deeplearning4j.interpret.check;

import org.deeplearning4j.interpret.model.CallHistoryTestNets;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.model.ObjectiveGradient;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The self-check passes on a correct engine, catches a wrong one, and leaves the user's model untouched. */
class GradientCheckTest {
    private static InterpretableModel model(MultiLayerNetwork net) {
        return Models.builder(net).inputSpec(InputSpec.builder().shape(1, 28, 28).pixelRange(0, 1).build()).build();
    }

    private static INDArray images() {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28);
    }

    @Test
    void aFloatModelPassesInDoublePrecisionAndIsLeftUntouched() {
        MultiLayerNetwork net = CallHistoryTestNets.examplesCnn();
        INDArray before = net.params().dup();
        GradientCheckResult r = GradientCheck.builder(model(net)).points(24).build().run(images(),
                Targets.predicted());
        assertTrue(r.passed(), r.toString());
        assertEquals(24, r.points().size());
        assertTrue(r.maxRelativeError() < 1e-6, r.toString());
        assertTrue(r.precisionGap() < 1e-3, "FP32 vs FP64 gradient: " + r.precisionGap());
        assertTrue(r.toString().startsWith("Gradient check PASSED"), r.toString());
        assertEquals(before, net.params());
        assertEquals(DataType.FLOAT, net.params().dataType());
    }

    /** A flat image puts max pooling on ties and ReLUs on kinks: the jitter moves the check off them. */
    @Test
    void aFlatImageFullOfTiesIsCheckedJustOffTheTies() {
        INDArray flat = Nd4j.valueArrayOf(new long[] {1, 1, 28, 28}, 0.5, DataType.FLOAT);
        GradientCheckResult r = GradientCheck.builder(model(CallHistoryTestNets.examplesCnn())).points(24).build()
                .run(flat, Targets.logit(2));
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void aWrongGradientFailsTheCheck() {
        InterpretableModel real = model(CallHistoryTestNets.examplesCnn());
        GradientCheckResult r = GradientCheck.of(doubled(real)).run(images(), Targets.logit(3));
        assertFalse(r.passed(), r.toString());
        assertTrue(r.maxRelativeError() > 0.3, r.toString());
    }

    @Test
    void badOptionsAreRefusedBeforeAnyWork() {
        InterpretableModel m = model(CallHistoryTestNets.examplesCnn());
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.builder(m).points(0).build());
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.builder(m).step(0).build());
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.builder(m).tolerance(-1).build());
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.builder(m).jitter(-0.1).build());
    }

    /** A model whose input gradients are twice the true ones, as LocallyConnected2D's are in DL4J M2.1. */
    static InterpretableModel doubled(InterpretableModel real) {
        return (InterpretableModel) Proxy.newProxyInstance(InterpretableModel.class.getClassLoader(),
                new Class<?>[] {InterpretableModel.class}, (proxy, method, args) -> method.getName().equals("spi")
                        ? doubledSpi(real.spi(), (InterpretableModel) proxy) : doubling(real, method, args));
    }

    /** The engine SPI of {@link #doubled}: its double-precision copy is doubled too. */
    private static org.deeplearning4j.interpret.model.ModelSpi doubledSpi(
            org.deeplearning4j.interpret.model.ModelSpi real, InterpretableModel owner) {
        return (org.deeplearning4j.interpret.model.ModelSpi) Proxy.newProxyInstance(
                InterpretableModel.class.getClassLoader(),
                new Class<?>[] {org.deeplearning4j.interpret.model.ModelSpi.class}, (proxy, method, args) -> {
                    if (method.getName().equals("model")) {
                        return owner;
                    }
                    Object r = doubling(real, method, args);
                    return method.getName().equals("inDoublePrecision") ? doubled((InterpretableModel) r) : r;
                });
    }

    /** Calls {@code method} on {@code real}, doubling any input gradient it returns. */
    private static Object doubling(Object real, java.lang.reflect.Method method, Object[] args) throws Throwable {
        Object r;
        try {
            r = method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (r instanceof ObjectiveGradient) {
            ObjectiveGradient g = (ObjectiveGradient) r;
            return new ObjectiveGradient(g.values(), g.gradient().mul(2));
        }
        return r;
    }
}
