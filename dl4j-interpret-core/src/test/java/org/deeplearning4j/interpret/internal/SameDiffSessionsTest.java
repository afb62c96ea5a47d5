package org.deeplearning4j.interpret.internal;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session call leaves nothing of what it computed reachable from the graph, and carries its recycler on. */
class SameDiffSessionsTest {
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 4);
        SDVariable w = sd.constant("w", Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(4, 3));
        SDVariable h = sd.nn().relu("h", x.mmul(w).sub(10), 0);
        sd.math().square("y", h).sum("s", 1);
        return sd;
    }

    private static InferenceSession session(SameDiff sd) {
        return sd.getSessions().get(Thread.currentThread().getId());
    }

    @Test
    void aFinishedCallKeepsNoComputedValuesAndTheNextCallGetsTheSameRecycler() {
        SameDiff sd = graph();
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4);
        Map<String, INDArray> first = SameDiffSessions.output(sd, Map.of("x", x), "s", "h");
        InferenceSession parked = session(sd);
        assertTrue(parked.getNodeValueOutputs().isEmpty(),
                "values of a finished call stay reachable: " + parked.getNodeValueOutputs().keySet());
        assertInstanceOf(SameDiffSessions.RecyclingArrays.class, parked.getMmgr());

        Map<String, INDArray> second = SameDiffSessions.output(sd, Map.of("x", x), "s", "h");
        assertSame(parked.getMmgr(), session(sd).getMmgr(), "the recycler was not carried on to the next call");
        assertTrue(session(sd).getNodeValueOutputs().isEmpty());
        assertEquals(first.get("s"), second.get("s"));
        assertEquals(first.get("h"), second.get("h"));
    }

    @Test
    void aFailedCallLeavesAnEmptySessionAndTheNextCallIsRight() {
        SameDiff sd = graph();
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4);
        INDArray expected = SameDiffSessions.output(sd, Map.of("x", x), "s").get("s");
        assertThrows(RuntimeException.class,
                () -> SameDiffSessions.output(sd, Map.of("x", Nd4j.rand(DataType.FLOAT, 5, 7)), "s"));
        assertTrue(session(sd).getNodeValueOutputs().isEmpty(), "a failed call left values behind");
        assertEquals(expected, SameDiffSessions.output(sd, Map.of("x", x), "s").get("s"));
    }

    @Test
    void outputsAreTheCallersOwnWhetherHandedOverOrCopiedAndLaterCallsNeverWriteIntoThem() {
        SameDiff sd = graph();
        sd.getVariable("h").reshape(-1).rename("flat");
        sd.identity("echo", sd.getVariable("x"));
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4).muli(10);
        INDArray xBefore = x.dup();
        Map<String, INDArray> first = SameDiffSessions.output(sd, Map.of("x", x), "s", "h", "flat", "echo");
        Map<String, INDArray> kept = new java.util.HashMap<>();
        first.forEach((k, v) -> kept.put(k, v.dup()));
        for (int call = 0; call < 30; call++) {
            int n = 1 + call % 7;
            SameDiffSessions.output(sd, Map.of("x", Nd4j.rand(DataType.FLOAT, n, 4).muli(10)), "s", "h", "flat",
                    "echo");
        }
        kept.forEach((k, v) -> assertEquals(v, first.get(k), "a later call wrote into the output '" + k + "'"));
        // outputs that share memory in the graph (h and its reshape, x and its identity) are separate arrays here
        first.get("flat").addi(1000);
        first.get("echo").addi(1000);
        assertEquals(kept.get("h"), first.get("h"), "writing into one output changed another");
        assertEquals(xBefore, x, "writing into an output changed the caller's input");
    }
}
