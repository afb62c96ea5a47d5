package org.deeplearning4j.interpret.progress;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTrackerTest {

    @Test
    void theListenerHearsEveryStepAndTheLastOneIsComplete() {
        List<Progress> seen = new ArrayList<>();
        ProgressTracker t = new ProgressTracker(LoggerFactory.getLogger(getClass()), "work", 10, seen::add);
        for (int i = 0; i < 4; i++) {
            t.advance(3);
        }
        assertEquals(4, seen.size());
        assertEquals(10, seen.get(3).done(), "done never exceeds the total");
        assertEquals(1.0, seen.get(3).fraction());
        assertEquals(3, seen.get(0).done());
    }

    @Test
    void theEtaIsLinearInTheWorkDone() {
        Progress p = new Progress("IG", 25, 100, Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(30), p.remaining().orElseThrow());
        assertTrue(p.toString().contains("25/100") && p.toString().contains("ETA 30.0s"), p.toString());
        assertTrue(new Progress("IG", 0, 100, Duration.ZERO).remaining().isEmpty());
        assertTrue(new Progress("x", 1, 2, Duration.ofSeconds(4000)).toString().contains("1h06m"));
        assertThrows(IllegalArgumentException.class, () -> new Progress("x", 3, 2, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new ProgressTracker(LoggerFactory.getLogger(getClass()),
                "x", 0, null));
    }
}
