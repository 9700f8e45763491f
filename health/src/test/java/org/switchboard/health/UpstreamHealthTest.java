package org.switchboard.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HealthCheckSpec;
import org.switchboard.config.HostPort;
import org.switchboard.config.OutlierDetectionSpec;
import org.switchboard.config.UpstreamSpec;

/** One upstream: availability, the ejection cap, panic, transitions reported once, reload carry-over. */
class UpstreamHealthTest {
    private static final HealthCheckSpec CHECKS = HealthCheckSpec.DEFAULTS; // healthy 2, unhealthy 3
    private static final OutlierDetectionSpec OUTLIERS =
            new OutlierDetectionSpec(3, Duration.ofSeconds(30), Duration.ofSeconds(300), 50);

    private final FakeTicker ticker = new FakeTicker();
    private final List<Transition> transitions = new ArrayList<>();

    static Stream<Arguments> ejectionCaps() {
        return Stream.of(
                Arguments.of(4, 50, 2),
                Arguments.of(3, 50, 1),
                Arguments.of(1, 50, 0), // a lone endpoint is never ejected at the default
                Arguments.of(1, 100, 1),
                Arguments.of(4, 0, 0),
                Arguments.of(10, 10, 1),
                Arguments.of(5, 30, 1),
                Arguments.of(4, 100, 4));
    }

    @ParameterizedTest(name = "{0} endpoints at {1}%: {2} ejected")
    @MethodSource("ejectionCaps")
    void neverEjectsMoreThanMaxEjectionPercentRoundedDown(int count, int percent, int expectedEjected) {
        UpstreamHealth health = upstream(ids(count), new OutlierDetectionSpec(3, Duration.ofSeconds(30),
                Duration.ofSeconds(300), percent));

        for (String id : ids(count)) {
            failRequests(health, id, 3);
        }

        long ejected = health.views().stream().filter(v -> v.ejectedUntilNanos() != null).count();
        assertEquals(expectedEjected, ejected);
        assertEquals(expectedEjected, transitions.stream().filter(t -> t.to() == HealthState.EJECTED).count());
    }

    @Test
    void theThirdFailingEndpointOfFourAtFiftyPercentWaitsForARoomToFreeUp() {
        UpstreamHealth health = upstream(ids(4), OUTLIERS);
        failRequests(health, "e0", 3);
        ticker.advance(Duration.ofSeconds(10));
        failRequests(health, "e1", 3);

        failRequests(health, "e2", 3);
        assertTrue(health.available("e2"), "50% of 4 is 2: a third is not ejected");

        ticker.advance(Duration.ofSeconds(20)); // e0's 30s are over, e1 still has 10s
        assertTrue(health.onRequestFailure("e2", "503"), "the next failure asks again, and now there is room");
        assertFalse(health.available("e2"));
        assertFalse(health.available("e1"));
        assertTrue(health.available("e0"));
    }

    @Test
    void availableMeansNotUnhealthyAndNotEjected() {
        UpstreamHealth health = upstream(List.of("unknown", "healthy", "unhealthy", "ejected"), OUTLIERS);
        passChecks(health, "healthy", 2);
        failChecks(health, "unhealthy", 3);
        failRequests(health, "ejected", 3);

        assertTrue(health.available("unknown"), "unknown counts as healthy");
        assertTrue(health.available("healthy"));
        assertFalse(health.available("unhealthy"));
        assertFalse(health.available("ejected"));
        assertFalse(health.allUnavailable());
    }

    @Test
    void allUnavailableIsThePanicSignalAndClearsWhenOneRecovers() {
        UpstreamHealth health = upstream(List.of("a", "b", "c"), new OutlierDetectionSpec(3, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 50));
        failChecks(health, "a", 3);
        failChecks(health, "b", 3);
        assertFalse(health.allUnavailable());
        failRequests(health, "c", 3); // 50% of 3 allows one ejection
        assertTrue(health.allUnavailable());

        ticker.advance(Duration.ofSeconds(30));
        assertFalse(health.allUnavailable(), "c's ejection ran out");
        failRequests(health, "c", 3);
        assertTrue(health.allUnavailable());
        passChecks(health, "a", 2);
        assertFalse(health.allUnavailable());
    }

    @Test
    void everyTransitionIsReportedExactlyOnceInOrder() {
        UpstreamHealth health = upstream(List.of("a", "b"), OUTLIERS);

        failChecks(health, "a", 6);
        passChecks(health, "a", 5);
        failRequests(health, "b", 3);
        failRequests(health, "b", 4); // while ejected: no second ejection
        ticker.advance(Duration.ofSeconds(30));
        assertTrue(health.refresh());
        assertFalse(health.refresh());
        failRequests(health, "b", 3);
        ticker.advance(Duration.ofSeconds(60));
        failChecks(health, "b", 1); // the return is reported before anything else about b

        assertEquals(List.of(
                "a UNKNOWN->UNHEALTHY", "a UNHEALTHY->HEALTHY",
                "b UNKNOWN->EJECTED", "b EJECTED->UNKNOWN",
                "b UNKNOWN->EJECTED", "b EJECTED->UNKNOWN"), summaries());
    }

    @Test
    void theEjectionTransitionSaysWhyAndForHowLong() {
        UpstreamHealth health = upstream(List.of("10.0.2.10:8083"), new OutlierDetectionSpec(2,
                Duration.ofSeconds(30), Duration.ofSeconds(300), 100));
        passChecks(health, "10.0.2.10:8083", 2);
        health.onRequestFailure("10.0.2.10:8083", "connect refused");
        long now = ticker.getAsLong();
        health.onRequestFailure("10.0.2.10:8083", "503");

        assertEquals(new Transition("generic", "10.0.2.10:8083", HealthState.HEALTHY, HealthState.EJECTED,
                "failed 2 requests in a row, last: 503; ejected for 30s", now), transitions.get(1));
    }

    /** Health and ejection are two state machines: a check's transition during an ejection says it is still on. */
    @Test
    void aCheckTransitionDuringAnEjectionSaysTheEjectionGoesOn() {
        UpstreamHealth health = upstream(List.of("10.0.2.10:8083"), new OutlierDetectionSpec(2,
                Duration.ofSeconds(30), Duration.ofSeconds(300), 100));
        passChecks(health, "10.0.2.10:8083", 2);
        failRequests(health, "10.0.2.10:8083", 2);
        failChecks(health, "10.0.2.10:8083", 3);

        Transition last = transitions.get(transitions.size() - 1);
        assertEquals(HealthState.HEALTHY, last.from());
        assertEquals(HealthState.UNHEALTHY, last.to());
        assertTrue(last.reason().endsWith("; still ejected"), last.reason());
    }

    @Test
    void resultsSayWhenAvailabilityChangedSoTheCallerRebuildsItsSnapshot() {
        UpstreamHealth health = upstream(List.of("a", "b"), OUTLIERS);

        assertFalse(health.onCheckSuccess("a"));
        assertFalse(health.onCheckSuccess("a"), "UNKNOWN -> HEALTHY: available before and after");
        assertFalse(health.onCheckFailure("a", "503"));
        assertFalse(health.onCheckFailure("a", "503"));
        assertTrue(health.onCheckFailure("a", "503"));
        assertFalse(health.onCheckFailure("a", "503"));
        assertFalse(health.onCheckSuccess("a"));
        assertTrue(health.onCheckSuccess("a"));

        assertFalse(health.onRequestFailure("b", "503"));
        assertFalse(health.onRequestFailure("b", "503"));
        assertTrue(health.onRequestFailure("b", "503"));
        ticker.advance(Duration.ofSeconds(30));
        assertTrue(health.onRequestSuccess("b"), "the ejection ran out without a refresh(): this result says so");
        assertFalse(health.onRequestSuccess("b"));
    }

    @Test
    void nextReturnIsTheEarliestEjectionEnd() {
        UpstreamHealth health = upstream(ids(4), OUTLIERS);
        assertEquals(OptionalLong.empty(), health.nextReturnNanos());

        failRequests(health, "e0", 3);
        long first = ticker.getAsLong() + Duration.ofSeconds(30).toNanos();
        ticker.advance(Duration.ofSeconds(5));
        failRequests(health, "e1", 3);
        assertEquals(OptionalLong.of(first), health.nextReturnNanos());

        ticker.advance(Duration.ofSeconds(40)); // both over, neither reported yet
        assertEquals(OptionalLong.of(ticker.getAsLong()), health.nextReturnNanos(), "due now");
        health.refresh();
        assertEquals(OptionalLong.empty(), health.nextReturnNanos());
    }

    @Test
    void aViewShowsStateEjectionAndTheLastFailureOfEitherKind() {
        UpstreamHealth health = upstream(List.of("a", "b"), OUTLIERS);
        failChecks(health, "a", 3);
        failRequests(health, "b", 3);
        long until = ticker.getAsLong() + Duration.ofSeconds(30).toNanos();
        health.onRequestFailure("a", "connect refused");

        assertEquals(new HealthView("generic", "a", HealthState.UNHEALTHY, null, "connect refused", 3, 1, 0, false),
                health.view("a"));
        assertEquals(new HealthView("generic", "b", HealthState.UNKNOWN, until, "503", 0, 0, 1, false),
                health.view("b"));
        assertEquals(List.of(health.view("a"), health.view("b")), health.views());
    }

    @Test
    void carryOverKeepsTheStateOfEndpointsStillThereAndAddsNewOnesAsUnknown() {
        UpstreamHealth before = upstream(List.of("a", "b", "c"), new OutlierDetectionSpec(3, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 100));
        failChecks(before, "a", 3);
        failRequests(before, "b", 3);
        passChecks(before, "c", 2);
        HealthView b = before.view("b");
        transitions.clear();

        List<Transition> afterReload = new ArrayList<>();
        UpstreamHealth after = new UpstreamHealth("generic", List.of("d", "b", "a"), CHECKS, OUTLIERS, ticker,
                afterReload::add).carryOver(before);

        assertEquals(List.of("d", "b", "a"), List.copyOf(after.endpointIds()), "the new config's order");
        assertEquals(HealthState.UNHEALTHY, after.view("a").state());
        assertFalse(after.available("a"));
        assertEquals(b, after.view("b"), "still ejected until the same moment");
        assertEquals(new HealthView("generic", "d", HealthState.UNKNOWN, null, null, 0, 0, 0, true), after.view("d"));
        assertEquals(List.of(), transitions, "a reload is not a transition");
        assertEquals(List.of(), afterReload);

        passChecks(after, "a", 2);
        assertEquals(List.of(new Transition("generic", "a", HealthState.UNHEALTHY, HealthState.HEALTHY,
                "passed 2 checks in a row", ticker.getAsLong())), afterReload, "reported by the new listener");
    }

    @Test
    void carriedOverCountsMeetTheNewThresholds() {
        UpstreamHealth before = upstream(List.of("a"), OUTLIERS);
        failChecks(before, "a", 2);
        HealthCheckSpec stricter = new HealthCheckSpec("/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 2);

        UpstreamHealth after = new UpstreamHealth("generic", List.of("a"), stricter, OUTLIERS, ticker,
                transitions::add).carryOver(before);
        assertEquals(HealthState.UNKNOWN, after.view("a").state());
        after.onCheckFailure("a", "503");

        assertEquals(HealthState.UNHEALTHY, after.view("a").state());
    }

    @Test
    void resultsForAnEndpointNoLongerConfiguredAreDropped() {
        UpstreamHealth health = upstream(List.of("a"), OUTLIERS);

        assertFalse(health.onCheckFailure("gone", "503"));
        assertFalse(health.onRequestFailure("gone", "503"));
        assertFalse(health.onCheckSuccess("gone"));
        assertFalse(health.onRequestSuccess("gone"));
        assertEquals(List.of(), transitions);
        assertThrows(IllegalArgumentException.class, () -> health.available("gone"));
    }

    @Test
    void builtFromAnUpstreamSpecItUsesItsEffectiveSettings() {
        UpstreamSpec spec = UpstreamSpec.of("media", List.of(EndpointSpec.of(HostPort.of("10.0.3.1", 8085))))
                .withHealthCheck(new HealthCheckSpec("/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 1));
        UpstreamHealth health = UpstreamHealth.of(spec, ticker, transitions::add);

        health.onCheckFailure("10.0.3.1:8085", "503");

        assertEquals("media", health.upstream());
        assertEquals(List.of("media 10.0.3.1:8085 UNKNOWN->UNHEALTHY"),
                transitions.stream().map(t -> t.upstream() + " " + t.endpoint() + " " + t.from() + "->" + t.to()).toList());
    }

    @Test
    void refusesAnEndpointListedTwice() {
        assertThrows(IllegalArgumentException.class, () -> upstream(List.of("a", "a"), OUTLIERS));
    }

    private UpstreamHealth upstream(List<String> ids, OutlierDetectionSpec outliers) {
        return new UpstreamHealth("generic", ids, CHECKS, outliers, ticker, transitions::add);
    }

    private static List<String> ids(int count) {
        return IntStream.range(0, count).mapToObj(i -> "e" + i).toList();
    }

    private void failRequests(UpstreamHealth health, String id, int times) {
        for (int i = 0; i < times; i++) {
            health.onRequestFailure(id, "503");
        }
    }

    private void failChecks(UpstreamHealth health, String id, int times) {
        for (int i = 0; i < times; i++) {
            health.onCheckFailure(id, "503");
        }
    }

    private void passChecks(UpstreamHealth health, String id, int times) {
        for (int i = 0; i < times; i++) {
            health.onCheckSuccess(id);
        }
    }

    private List<String> summaries() {
        return transitions.stream().map(t -> t.endpoint() + " " + t.from() + "->" + t.to()).toList();
    }
}
