package org.switchboard.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.SynapseVersion;
import org.switchboard.routing.FollowedSynapse;

/** The oldest release the Synapse processes report, through restarts, 404s, failures and rolling upgrades. */
class SynapseVersionsTest {
    private static final String MAIN = "main/10.0.0.1:8008";
    private static final String GENERIC = "generic/10.0.0.2:8081";
    private static final String SYNC = "synchrotron/10.0.0.3:8083";

    private final SynapseVersions versions = new SynapseVersions();

    private static String body(String release) {
        return "{\"server\":{\"name\":\"Synapse\",\"version\":\"" + release + "\"}}";
    }

    private boolean answer(String endpoint, String release) {
        return versions.answered(endpoint, endpoint.substring(0, endpoint.indexOf('/')),
                endpoint.substring(endpoint.indexOf('/') + 1), 200, body(release), null);
    }

    private static SynapseVersion v(String text) {
        return SynapseVersion.parse(text);
    }

    @Test
    void followsTheOldestProcessThroughARollingUpgrade() {
        versions.retain(Set.of(MAIN, GENERIC), List.of(MAIN));
        assertFalse(versions.settled());
        assertNull(versions.followed().version());

        assertTrue(answer(MAIN, "1.67.0"), "unknown -> 1.67.0 is a change");
        assertTrue(versions.settled());
        assertFalse(answer(GENERIC, "1.67.0"));
        assertEquals(v("1.67.0"), versions.followed().version());

        assertFalse(answer(MAIN, "1.80.0"), "main upgraded first: the generic worker still runs 1.67.0");
        assertEquals(v("1.67.0"), versions.followed().version());
        assertEquals("reported by generic 10.0.0.2:8081, the oldest of 2 processes", versions.followed().source());

        assertTrue(answer(GENERIC, "1.80.0"), "every process on 1.80.0 now");
        assertEquals(v("1.80.0"), versions.followed().version());
    }

    @Test
    void aProcessWithoutTheFederationResourceIsNotAskedAgain() {
        versions.retain(Set.of(MAIN, SYNC), List.of(MAIN));
        assertTrue(versions.shouldAsk(SYNC));

        assertFalse(versions.answered(SYNC, "synchrotron", "10.0.0.3:8083", 404, "<html>No Such Resource</html>", null));

        assertFalse(versions.shouldAsk(SYNC));
        assertTrue(versions.shouldAsk(MAIN));
        assertFalse(versions.settled(), "main has not answered");
    }

    /** Synapse logs every request: a process that named its release is asked at every tenth pass, not at each. */
    @Test
    void aProcessThatNamedItsReleaseIsAskedAtEveryTenthPassUntilAnAnswerFails() {
        versions.retain(Set.of(MAIN), List.of(MAIN));
        assertTrue(versions.shouldAsk(MAIN), "asked until it answers");
        assertTrue(versions.shouldAsk(MAIN));
        answer(MAIN, "1.80.0");
        for (int round = 0; round < 2; round++) {
            for (int pass = 1; pass < SynapseVersions.ASK_EVERY_NTH_PASS; pass++) {
                assertFalse(versions.shouldAsk(MAIN), "pass " + pass);
            }
            assertTrue(versions.shouldAsk(MAIN), "the tenth pass asks");
        }
        assertFalse(versions.shouldAsk(MAIN));
        versions.checkFailed(MAIN);
        assertTrue(versions.shouldAsk(MAIN), "the first pass after a failed check (a restart?) asks");
        assertFalse(versions.shouldAsk(MAIN));
        versions.answered(MAIN, "main", "10.0.0.1:8008", 0, null, "timeout");
        assertTrue(versions.shouldAsk(MAIN), "a failed answer is asked again at the next pass");
    }

    @Test
    void aProcessThatStopsAnsweringKeepsItsLastRelease() {
        versions.retain(Set.of(MAIN), List.of(MAIN));
        answer(MAIN, "1.67.0");

        assertFalse(versions.answered(MAIN, "main", "10.0.0.1:8008", 0, null, "connect: connection refused"));
        assertFalse(versions.answered(MAIN, "main", "10.0.0.1:8008", 502, "", null));

        assertEquals(v("1.67.0"), versions.followed().version());
        assertTrue(versions.shouldAsk(MAIN));
    }

    @Test
    void unknownUntilMainAnswersAndSaysWhy() {
        versions.retain(Set.of(MAIN), List.of(MAIN));
        assertEquals(FollowedSynapse.unknown("not answered yet"), versions.followed());

        assertFalse(versions.answered(MAIN, "main", "10.0.0.1:8008", 0, null, "connect: connection refused"));

        assertTrue(versions.settled(), "a failure settles it: the proxy must not wait on a Synapse that is down");
        assertEquals("main 10.0.0.1:8008: connect: connection refused", versions.followed().source());
        assertNull(versions.followed().version());
        assertTrue(answer(MAIN, "1.67.0"), "learnt later: a change");
    }

    @Test
    void endpointsThatLeaveTheConfigAreForgotten() {
        versions.retain(Set.of(MAIN, GENERIC), List.of(MAIN));
        answer(MAIN, "1.157.1");
        answer(GENERIC, "1.67.0");
        assertEquals(v("1.67.0"), versions.followed().version());

        versions.retain(Set.of(MAIN), List.of(MAIN));

        assertEquals(v("1.157.1"), versions.followed().version());
    }

    @Test
    void anotherHomeserverSaysNothing() {
        versions.retain(Set.of(MAIN), List.of(MAIN));

        versions.answered(MAIN, "main", "10.0.0.1:8008", 200, "{\"server\":{\"name\":\"Dendrite\",\"version\":\"0.13.7\"}}",
                null);

        assertNull(versions.followed().version());
        assertFalse(versions.shouldAsk(MAIN));
        assertEquals("main 10.0.0.1:8008: answers no Synapse release", versions.followed().source());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"server\":{\"name\":\"Synapse\",\"version\":\"1.67.0\"}}                      | 1.67.0",
            "{\"server\": {\"version\": \"1.157.1\", \"name\": \"Synapse\"}}                  | 1.157.1",
            "{\"server\":{\"name\":\"Synapse\",\"version\":\"1.68.0rc2\"}}                   | 1.68.0",
            "{\"server\":{\"name\":\"Synapse\",\"version\":\"1.67.0 (b=develop,0f1e2d3)\"}}  | 1.67.0"})
    void readsSynapsesAnswer(String body, String release) {
        assertEquals(v(release), FederationVersion.synapseRelease(body));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"server\":{\"name\":\"Conduit\",\"version\":\"0.9.0\"}}",
            "{\"server\":{\"name\":\"Synapse\"}}",
            "{\"server\":{\"name\":\"Synapse\",\"version\":\"latest\"}}",
            "<html>No Such Resource</html>",
            "''"})
    void answersWithoutASynapseReleaseGiveNull(String body) {
        assertNull(FederationVersion.synapseRelease(body));
    }
}
