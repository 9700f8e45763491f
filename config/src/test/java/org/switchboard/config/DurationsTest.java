package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("1ms", Duration.ofMillis(1)),
                Arguments.of("5s", Duration.ofSeconds(5)),
                Arguments.of("180s", Duration.ofSeconds(180)),
                Arguments.of("3m", Duration.ofMinutes(3)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("05s", Duration.ofSeconds(5)));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesAPositiveIntegerAndAUnit(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "5", "-5s", "+5s", "1.5s", "5 s", " 5s", "5s ", "5S", "5sec", "5d", "5us", "ms", "s5",
        "PT5S", "5m30s", "1_000ms", "9999999999999999999999x"})
    void refusesAnythingElse(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals("expected a duration such as 500ms, 5s, 3m", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "00m"})
    void refusesZeroWhereNothingCanBeTurnedOffAndSaysSo(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals("expected a duration longer than 0, such as 500ms, 5s, 3m", e.getMessage());
    }

    /** Longer would overflow the timers' nanoseconds (about 292 years) or be nonsense: "no timeout" is not a year. */
    @ParameterizedTest
    @ValueSource(strings = {"8761h", "525601m", "31536001s", "31536000001ms", "9999999999s", "99999999999999h",
        "999999999999999999h", "9999999999999999999999s"})
    void refusesMoreThanAYearAndSaysSo(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals("expected a duration of at most 8760h", e.getMessage());
    }

    @Test
    void takesAYearExactly() {
        assertEquals(Duration.ofDays(365), Durations.parse("8760h"));
        assertEquals(Duration.ofDays(365), Durations.parse("31536000000ms"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1ms", "1500ms", "2s", "90s", "5m", "61m", "1h", "25h"})
    void formatsAsItCouldBeWrittenInTheLargestWholeUnit(String text) {
        assertEquals(text, Durations.format(Durations.parse(text)));
    }

    @Test
    void formatsSecondsThatMakeWholeMinutesAsMinutes() {
        assertEquals("5m", Durations.format(Duration.ofSeconds(300)));
    }

    @Test
    void refusesNull() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    }
}
