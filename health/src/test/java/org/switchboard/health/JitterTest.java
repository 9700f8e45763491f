package org.switchboard.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Check delays: deterministic, in range, and spread over ids, seeds and rounds. */
class JitterTest {
    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @Test
    void theSameSeedEndpointAndRoundGiveTheSameDelay() {
        assertEquals(new Jitter(42).firstDelay("10.0.2.10:8083", INTERVAL),
                new Jitter(42).firstDelay("10.0.2.10:8083", INTERVAL));
        assertEquals(new Jitter(42).nextDelay("10.0.2.10:8083", 7, INTERVAL),
                new Jitter(42).nextDelay("10.0.2.10:8083", 7, INTERVAL));
    }

    @ParameterizedTest(name = "interval {0}ms")
    @ValueSource(longs = {1, 7, 500, 2000, 300_000})
    void theFirstDelayIsWithinTheIntervalAndLaterOnesWithinItsLastTenthPercent(long millis) {
        Duration interval = Duration.ofMillis(millis);
        Duration tenth = interval.dividedBy(10);
        Jitter jitter = new Jitter(millis);
        for (int i = 0; i < 2000; i++) {
            String id = "10.0." + i / 256 + "." + i % 256 + ":8083";
            Duration first = jitter.firstDelay(id, interval);
            assertTrue(!first.isNegative() && first.compareTo(interval) < 0, id + ": " + first);
            Duration next = jitter.nextDelay(id, i + 1, interval);
            assertTrue(next.compareTo(interval) <= 0 && next.compareTo(interval.minus(tenth)) > 0, id + ": " + next);
        }
    }

    @Test
    void differentEndpointsGetDifferentFirstDelaysSpreadOverTheInterval() {
        Jitter jitter = new Jitter(42);
        Set<Duration> delays = new HashSet<>();
        int[] tenths = new int[10];
        for (int i = 0; i < 1000; i++) {
            Duration delay = jitter.firstDelay("10.0.2." + i + ":8083", INTERVAL);
            delays.add(delay);
            tenths[(int) (delay.toNanos() * 10 / INTERVAL.toNanos())]++;
        }
        assertTrue(delays.size() >= 999, "distinct delays: " + delays.size());
        for (int count : tenths) {
            assertTrue(count > 60 && count < 140, "each tenth of the interval gets about 100 of 1000: " + count);
        }
    }

    @Test
    void otherSeedsAndRoundsGiveOtherDelays() {
        String id = "10.0.2.10:8083";

        assertNotEquals(new Jitter(1).firstDelay(id, INTERVAL), new Jitter(2).firstDelay(id, INTERVAL),
                "two replicas do not probe in lockstep");
        assertNotEquals(new Jitter(1).nextDelay(id, 1, INTERVAL), new Jitter(1).nextDelay(id, 2, INTERVAL));
    }

    @Test
    void refusesAnIntervalThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> new Jitter(1).firstDelay("a:1", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Jitter(1).nextDelay("a:1", 1, Duration.ofSeconds(-1)));
    }
}
