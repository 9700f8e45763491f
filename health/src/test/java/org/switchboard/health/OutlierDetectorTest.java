package org.switchboard.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.switchboard.config.OutlierDetectionSpec;

/** Passive ejection of one endpoint against a fake ticker: when, for how long, and the decay. */
class OutlierDetectorTest {
    private static final Duration NS = Duration.ofNanos(1);
    private final FakeTicker ticker = new FakeTicker();
    private boolean allowed = true;

    @Test
    void ejectsAtTheConsecutiveFailureThresholdNotBefore() {
        OutlierDetector detector = detector(spec(3, 30, 300));

        assertFalse(detector.onFailure("connect refused"));
        assertFalse(detector.onFailure("502"));
        assertFalse(detector.isEjected());
        assertEquals(2, detector.consecutiveFailures());
        assertTrue(detector.onFailure("503"));
        assertTrue(detector.isEjected());
        assertEquals(0, detector.consecutiveFailures(), "counting starts over after an ejection");
        assertEquals("503", detector.lastFailure());
        assertEquals(1, detector.ejectionCount());
    }

    @Test
    void aSuccessInBetweenStartsTheCountOver() {
        OutlierDetector detector = detector(spec(3, 30, 300));

        detector.onFailure("503");
        detector.onFailure("503");
        detector.onSuccess();
        detector.onFailure("503");
        assertFalse(detector.onFailure("503"));

        assertFalse(detector.isEjected());
        assertTrue(detector.onFailure("503"));
    }

    static Stream<Arguments> ejectionTimes() {
        return Stream.of(
                Arguments.of(30, 300, List.of(30L, 60L, 90L, 120L, 150L, 180L, 210L, 240L, 270L, 300L, 300L, 300L)),
                Arguments.of(10, 25, List.of(10L, 20L, 25L, 25L, 25L)),
                Arguments.of(30, 30, List.of(30L, 30L, 30L)),
                Arguments.of(1, 3600, List.of(1L, 2L, 3L, 4L)));
    }

    @ParameterizedTest(name = "base {0}s, max {1}s")
    @MethodSource("ejectionTimes")
    void ejectionTimeGrowsWithEachEjectionUpToTheCap(int base, int max, List<Long> expectedSeconds) {
        OutlierDetector detector = detector(spec(1, base, max));
        List<Long> seconds = new ArrayList<>();
        for (int i = 0; i < expectedSeconds.size(); i++) {
            long start = ticker.getAsLong();
            assertTrue(detector.onFailure("503"));
            long until = detector.ejectedUntilNanos();
            seconds.add(Duration.ofNanos(until - start).toSeconds());
            ticker.advance(Duration.ofNanos(until - start)); // back at once: no decay in between
            assertFalse(detector.isEjected());
        }
        assertEquals(expectedSeconds, seconds);
    }

    @Test
    void anEjectionEndsExactlyWhenItsTimeHasPassedAndIsReportedOnce() {
        OutlierDetector detector = detector(spec(1, 30, 300));
        detector.onFailure("503");

        ticker.advance(Duration.ofSeconds(30).minus(NS));
        assertTrue(detector.isEjected());
        assertFalse(detector.returnIfDue());
        ticker.advance(NS);
        assertFalse(detector.isEjected());
        assertNull(detector.ejectedUntilNanos());
        assertTrue(detector.returnIfDue());
        assertFalse(detector.returnIfDue(), "the return is reported once");
    }

    @Test
    void failuresWhileEjectedNeitherCountNorExtendIt() {
        OutlierDetector detector = detector(spec(2, 30, 300));
        detector.onFailure("503");
        detector.onFailure("503");
        long until = detector.ejectedUntilNanos();

        ticker.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) {
            assertFalse(detector.onFailure("502 (panic traffic)"));
        }

        assertEquals(until, detector.ejectedUntilNanos());
        assertEquals(0, detector.consecutiveFailures());
        assertEquals("502 (panic traffic)", detector.lastFailure());
    }

    @Test
    void aRefusedEjectionIsAskedForAgainAtTheNextFailure() {
        OutlierDetector detector = detector(spec(2, 30, 300));
        allowed = false;

        detector.onFailure("503");
        assertFalse(detector.onFailure("503"));
        assertFalse(detector.onFailure("503"));
        assertFalse(detector.isEjected());
        assertEquals(2, detector.consecutiveFailures(), "stays at the threshold");

        allowed = true;
        assertTrue(detector.onFailure("503"));
    }

    /** After three ejections (the third for 90s), time back in service before the fourth. */
    static Stream<Arguments> decay() {
        return Stream.of(
                Arguments.of(Duration.ZERO, 120),
                Arguments.of(Duration.ofSeconds(30).minus(NS), 120),
                Arguments.of(Duration.ofSeconds(30), 90),
                Arguments.of(Duration.ofSeconds(60), 60),
                Arguments.of(Duration.ofSeconds(90), 30),
                Arguments.of(Duration.ofMinutes(30), 30));
    }

    @ParameterizedTest(name = "back for {0}: next ejection {1}s")
    @MethodSource("decay")
    void theEjectionCountFallsByOneForEachBaseTimeBackInService(Duration backFor, long expectedSeconds) {
        OutlierDetector detector = detector(spec(1, 30, 300));
        for (int i = 0; i < 3; i++) {
            detector.onFailure("503");
            ticker.advance(Duration.ofNanos(detector.ejectedUntilNanos() - ticker.getAsLong()));
        }
        assertEquals(3, detector.ejectionCount());

        ticker.advance(backFor);
        long start = ticker.getAsLong();
        detector.onFailure("503");

        assertEquals(expectedSeconds, Duration.ofNanos(detector.ejectedUntilNanos() - start).toSeconds());
    }

    @Test
    void theTickerMayWrapAroundDuringAnEjection() {
        FakeTicker nearTheEnd = new FakeTicker(Long.MAX_VALUE - Duration.ofSeconds(10).toNanos());
        OutlierDetector detector = new OutlierDetector(spec(1, 30, 300), nearTheEnd, () -> true);
        detector.onFailure("503");
        assertTrue(detector.isEjected(), "before the wrap");

        nearTheEnd.advance(Duration.ofSeconds(29));
        assertTrue(nearTheEnd.getAsLong() < 0, "the reading wrapped");
        assertTrue(detector.isEjected());
        nearTheEnd.advance(Duration.ofSeconds(1));
        assertFalse(detector.isEjected());
    }

    @Test
    void aHugeMaxEjectionTimeDoesNotOverflow() {
        OutlierDetector detector = detector(new OutlierDetectionSpec(1, Duration.ofHours(1_000_000),
                Duration.ofHours(999_999_999_999L), 50));

        assertTrue(detector.onFailure("503"));
        ticker.advance(Duration.ofHours(500_000)); // 57 years
        assertTrue(detector.isEjected());
    }

    private OutlierDetector detector(OutlierDetectionSpec spec) {
        return new OutlierDetector(spec, ticker, () -> allowed);
    }

    private static OutlierDetectionSpec spec(int failures, int baseSeconds, int maxSeconds) {
        return new OutlierDetectionSpec(failures, Duration.ofSeconds(baseSeconds), Duration.ofSeconds(maxSeconds), 50);
    }
}
