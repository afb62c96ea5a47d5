package org.deeplearning4j.interpret.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Native garbage is collected when resident memory has grown past the budget since the last collection, not before. */
class NativeMemoryTest {
    private static final long MB = 1L << 20;

    @Test
    void collectsOnlyWhenResidentMemoryGrewPastTheBudgetAndMeasuresAfreshAfterEachCollection() {
        AtomicLong rss = new AtomicLong(1000 * MB);
        AtomicInteger collected = new AtomicInteger();
        NativeMemory m = new NativeMemory(rss::get, collected::incrementAndGet);
        m.check(); // first check: the baseline
        rss.set(1000 * MB + NativeMemory.budget(1000 * MB));
        m.check();
        assertEquals(0, collected.get(), "collected at exactly the budget");
        rss.addAndGet(MB);
        m.check();
        assertEquals(1, collected.get(), "not collected past the budget");
        rss.set(1200 * MB); // after the collection: the next check measures the new baseline
        m.check();
        rss.set(1400 * MB);
        m.check();
        assertEquals(1, collected.get(), "collected although only 200 MB grew since the last collection");
        rss.set(1200 * MB + NativeMemory.budget(1200 * MB) + 1);
        m.check();
        assertEquals(2, collected.get());
    }

    @Test
    void theBudgetIsAnEighthOfTheBaselineAndAtLeast256MB() {
        assertEquals(256 * MB, NativeMemory.budget(100 * MB));
        assertEquals(1024 * MB, NativeMemory.budget(8192 * MB));
    }

    @Test
    void anUnknownResidentSizeNeverCollects() {
        AtomicInteger collected = new AtomicInteger();
        NativeMemory m = new NativeMemory(() -> 0, collected::incrementAndGet);
        for (int i = 0; i < 5; i++) {
            m.check();
        }
        assertEquals(0, collected.get());
    }
}
