package org.switchboard.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The health checker's thresholds, both ways, from UNKNOWN and back. */
class ActiveHealthTest {
    private final FakeTicker ticker = new FakeTicker();

    /**
     * Checks as {@code s} (passed) and {@code f} (failed), and the state after each:
     * {@code ?} UNKNOWN, {@code H} HEALTHY, {@code U} UNHEALTHY.
     */
    static Stream<Arguments> sequences() {
        return Stream.of(
                Arguments.of(2, 3, "f", "?"), // one lost probe after a restart takes nothing out
                Arguments.of(2, 3, "ff", "??"),
                Arguments.of(2, 3, "fff", "??U"),
                Arguments.of(2, 1, "f", "U"),
                Arguments.of(2, 3, "s", "?"),
                Arguments.of(2, 3, "ss", "?H"),
                Arguments.of(1, 3, "s", "H"),
                Arguments.of(2, 3, "ffsfff", "?????U"), // a pass in between starts the count over
                Arguments.of(2, 3, "ssfffss", "?HHHUUH"),
                Arguments.of(2, 3, "ssfffsfss", "?HHHUUUUH"), // a failure in between starts it over too
                Arguments.of(3, 2, "ffsss", "?UUUH"),
                Arguments.of(1, 1, "sfsf", "HUHU"),
                Arguments.of(2, 3, "ssffffff", "?HHHUUUU")); // no repeated transition while it stays down
    }

    @ParameterizedTest(name = "healthy {0}, unhealthy {1}: {2} -> {3}")
    @MethodSource("sequences")
    void consecutiveResultsCrossTheThresholds(int healthy, int unhealthy, String results, String states) {
        ActiveHealth health = new ActiveHealth("generic", "a:1", healthy, unhealthy, ticker);
        HealthState previous = HealthState.UNKNOWN;
        List<Transition> transitions = new ArrayList<>();
        for (int i = 0; i < results.length(); i++) {
            Transition t = results.charAt(i) == 's' ? health.onSuccess() : health.onFailure("503");
            HealthState expected = state(states.charAt(i));
            assertEquals(expected, health.state(), "after check " + (i + 1) + " of " + results);
            if (expected == previous) {
                assertNull(t, "no transition at check " + (i + 1));
            } else {
                assertEquals(new Transition("generic", "a:1", previous, expected, t.reason(), ticker.getAsLong()), t);
                transitions.add(t);
            }
            previous = expected;
            ticker.advance(Duration.ofSeconds(2));
        }
        assertEquals(changes(states), transitions.size(), "one transition per change of state");
    }

    @Test
    void theTransitionSaysWhyAndWhen() {
        ActiveHealth health = new ActiveHealth("media", "10.0.3.1:8085", 2, 2, ticker);
        health.onFailure("connection refused");
        ticker.advance(Duration.ofSeconds(2));
        long now = ticker.getAsLong();

        Transition down = health.onFailure("timed out after 1s");

        assertEquals(new Transition("media", "10.0.3.1:8085", HealthState.UNKNOWN, HealthState.UNHEALTHY,
                "failed 2 checks in a row, last: timed out after 1s", now), down);
        assertEquals("media/10.0.3.1:8085: UNKNOWN -> UNHEALTHY (failed 2 checks in a row, last: timed out after 1s)",
                down.toString());
        assertEquals("timed out after 1s", health.lastFailure());
        assertEquals(2, health.consecutiveFailures());
        health.onSuccess();
        assertEquals(0, health.consecutiveFailures());
        assertEquals("timed out after 1s", health.lastFailure(), "the last failure stays for the admin page");
    }

    @Test
    void startsUnknownWithNoFailure() {
        ActiveHealth health = new ActiveHealth("main", "a:1", 2, 3, ticker);

        assertEquals(HealthState.UNKNOWN, health.state());
        assertNull(health.lastFailure());
    }

    @Test
    void refusesAThresholdBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new ActiveHealth("main", "a:1", 0, 3, ticker));
        assertThrows(IllegalArgumentException.class, () -> new ActiveHealth("main", "a:1", 2, 0, ticker));
    }

    private static HealthState state(char c) {
        return switch (c) {
            case '?' -> HealthState.UNKNOWN;
            case 'H' -> HealthState.HEALTHY;
            case 'U' -> HealthState.UNHEALTHY;
            default -> throw new IllegalArgumentException(String.valueOf(c));
        };
    }

    private static int changes(String states) {
        int changes = 0;
        char previous = '?';
        for (char c : states.toCharArray()) {
            changes += c == previous ? 0 : 1;
            previous = c;
        }
        return changes;
    }
}
