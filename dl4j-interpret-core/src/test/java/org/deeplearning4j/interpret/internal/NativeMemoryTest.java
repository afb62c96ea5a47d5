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
        NativeMemory m = new NativeMemory(rss::get, collected::incrementAndGet, () -> 0L);
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
        NativeMemory m = new NativeMemory(() -> 0, collected::incrementAndGet, () -> 0L);
        for (int i = 0; i < 5; i++) {
            m.check();
        }
        assertEquals(0, collected.get());
    }

    @Test
    void aCollectionWaitsTenTimesTheLastOnesDurationSoCollectionsTakeAtMostATenthOfTheTime() {
        AtomicLong rss = new AtomicLong(1000 * MB);
        AtomicLong clock = new AtomicLong(0);
        AtomicInteger collected = new AtomicInteger();
        // each collection takes 100 ms of the fake clock
        NativeMemory m = new NativeMemory(rss::get, () -> {
            collected.incrementAndGet();
            clock.addAndGet(100_000_000L);
        }, clock::get);
        m.check();
        rss.addAndGet(2000 * MB);
        m.check();
        assertEquals(1, collected.get());
        m.check(); // new baseline
        rss.addAndGet(2000 * MB);
        clock.addAndGet(999_000_000L); // 0.999 s after a 0.1 s collection: too soon
        m.check();
        assertEquals(1, collected.get(), "collected sooner than 10 x the last collection's duration");
        clock.addAndGet(1_000_000L);
        m.check();
        assertEquals(2, collected.get(), "not collected once the wait was over");
    }
}
