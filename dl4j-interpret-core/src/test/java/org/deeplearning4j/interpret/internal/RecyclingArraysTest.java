package org.deeplearning4j.interpret.internal;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session memory manager never hands out memory that something may still read. */
class RecyclingArraysTest {
    @Test
    void aReleasedArrayIsReusedOnlyInALaterCall() {
        SameDiffSessions.RecyclingArrays m = new SameDiffSessions.RecyclingArrays();
        m.newCall();
        INDArray a = m.allocate(false, DataType.FLOAT, 2, 3);
        m.release(a);
        assertNotSame(a, m.allocate(false, DataType.FLOAT, 2, 3), "reused within the call that released it");
        m.newCall();
        assertSame(a, m.allocate(false, DataType.FLOAT, 2, 3), "not reused in the next call");
    }

    @Test
    void arraysBeyondTheCapAreFreedAtOnceAndThoseWithinItAreKeptForReuse() {
        SameDiffSessions.RecyclingArrays m = new SameDiffSessions.RecyclingArrays(2 * 3 * 4);
        m.newCall();
        INDArray kept = m.allocate(false, DataType.FLOAT, 2, 3);
        INDArray evicted = m.allocate(false, DataType.FLOAT, 4, 5);
        m.release(evicted); // released first: the oldest, freed when the cap is exceeded
        m.release(kept);
        m.newCall();
        assertTrue(evicted.wasClosed(), "an array beyond the cap waits for the garbage collector");
        assertFalse(kept.wasClosed());
        assertSame(kept, m.allocate(false, DataType.FLOAT, 2, 3), "an array within the cap is not reused");
    }

    @Test
    void viewsAliasesAndForeignArraysAreNeverRecycledAndEachBufferOnlyOnce() {
        SameDiffSessions.RecyclingArrays m = new SameDiffSessions.RecyclingArrays();
        m.newCall();
        INDArray weights = Nd4j.rand(DataType.FLOAT, 3, 2);
        m.release(weights.permute(1, 0)); // an alias of memory the manager did not allocate (e.g. a weight)
        m.release(weights);
        INDArray owned = m.allocate(false, DataType.FLOAT, 6);
        INDArray alias = owned.reshape(2, 3);
        m.release(alias);
        m.release(owned); // the same memory under a second name: recycled once at most
        m.newCall();
        INDArray first = m.allocate(false, DataType.FLOAT, 2, 3);
        INDArray second = m.allocate(false, DataType.FLOAT, 6);
        assertNotEquals(weights.data().address(), first.data().address(), "a weight's memory was handed out");
        assertNotEquals(weights.data().address(), second.data().address(), "a weight's memory was handed out");
        assertNotEquals(first.data().address(), second.data().address(), "one buffer handed out twice");
    }

    @Test
    void memoryHandedOutInAnEarlierCallIsNotTakenForOursWhenAnotherArrayComesToHaveItsAddress() {
        SameDiffSessions.RecyclingArrays m = new SameDiffSessions.RecyclingArrays();
        m.newCall();
        INDArray output = m.allocate(false, DataType.FLOAT, 2, 3); // a call's output: never released by its session
        m.newCall();
        // a later call's session releases an array at the same address that the manager did not hand out in this
        // call (after the output was collected, the allocator may give its address to anything)
        INDArray foreign = Nd4j.create(output.data(), new long[] {2, 3});
        m.release(foreign);
        m.newCall();
        assertNotEquals(output.data().address(), m.allocate(false, DataType.FLOAT, 2, 3).data().address(),
                "memory the manager no longer owns was handed out again");
    }

    @Test
    void arraysOfEqualContentsAreToldApartSoTheOneWaitingIsFreedAndNotTheOneInUse() {
        SameDiffSessions.RecyclingArrays m = new SameDiffSessions.RecyclingArrays(2 * 2 * 3 * 4);
        m.newCall();
        INDArray inUse = m.allocate(false, DataType.FLOAT, 2, 3).assign(0);
        INDArray waiting = m.allocate(false, org.nd4j.linalg.api.shape.LongShapeDescriptor.fromShape(
                new long[] {2, 3}, new long[] {1, 2}, 0, 'f', DataType.FLOAT, false)).assign(0);
        m.release(waiting); // equal values, another layout: INDArray.equals says they are the same array
        m.release(inUse);
        m.newCall();
        assertSame(inUse, m.allocate(false, DataType.FLOAT, 2, 3));
        INDArray newer = m.allocate(false, DataType.FLOAT, 3, 4);
        m.release(newer);
        m.newCall(); // over the cap: the oldest array waiting for reuse goes
        assertTrue(waiting.wasClosed(), "the array waiting longest was not freed");
        assertFalse(inUse.wasClosed(), "an array in use was freed");
        assertFalse(newer.wasClosed());
        assertSame(newer, m.allocate(false, DataType.FLOAT, 3, 4));
    }
}
