package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.SynapseVersion;

/**
 * The built-in table following a Synapse release: a route whose workers came later goes to main
 * (the presence writer's requests stay on the writer, which has served them since 1.33). The
 * requests are those Synapse 1.67's workers refuse (400 M_UNRECOGNIZED, or 500 for presence)
 * and those they serve, one upstream per role.
 */
class SynapseVersionRoutingTest {

    private static SwitchboardSpec spec(String synapse) throws ConfigException {
        StringBuilder yaml = new StringBuilder("""
                listeners: [{name: client, address: "127.0.0.1:0"}]
                upstreams:
                """);
        List<String> roles = SynapsePresetTableTest.ROLES;
        for (int i = 0; i < roles.size(); i++) {
            yaml.append("  ").append(roles.get(i)).append(": {endpoints: [\"10.0.0.").append(i + 1).append(":8008\"]}\n");
        }
        yaml.append("routes: [{preset: synapse}]\n").append(synapse);
        return ConfigLoader.parse(yaml.toString(), "test");
    }

    private static String upstreamFor(RoutingSnapshot snapshot, String method, String target) {
        return snapshot.route(SynapsePresetTableTest.Request.of(method, target)).upstream().name();
    }

    @ParameterizedTest(name = "{0} {1}: 1.67.0 -> {2}, 1.157.1 -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # --- what 1.67's generic workers do not serve: main (presence: its writer)
            GET    | /_matrix/client/v3/register/available?username=bob                 | main        | generic
            GET    | /_matrix/client/v3/capabilities                                    | main        | generic
            POST   | /_matrix/client/v3/user/@alice:example.org/filter                  | main        | generic
            GET    | /_matrix/client/v3/user/@alice:example.org/filter/0                | main        | generic
            GET    | /_matrix/client/v3/directory/room/%23room:example.org              | main        | generic
            PUT    | /_matrix/client/v3/devices/ABCDEFGH                                | main        | generic
            GET    | /_matrix/client/v3/devices/ABCDEFGH                                | main        | generic
            GET    | /_matrix/client/v3/notifications                                   | main        | generic
            GET    | /_matrix/client/v3/presence/@bob:example.org/status                | presence    | presence
            GET    | /_matrix/client/v3/password_policy                                 | main        | generic
            POST   | /_matrix/client/v3/delete_devices                                  | main        | generic
            POST   | /_matrix/client/v3/account/deactivate                              | main        | generic
            POST   | /_matrix/client/v3/keys/device_signing/upload                      | main        | generic
            POST   | /_matrix/client/v3/keys/signatures/upload                          | main        | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/relations/$ev1           | main        | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/threads                  | main        | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/timestamp_to_event?ts=1  | main        | generic
            POST   | /_matrix/client/v3/knock/!abc:example.org                          | main        | generic
            GET    | /_matrix/client/v1/room_summary/%23room:example.org                | main        | generic
            GET    | /_matrix/client/unstable/im.nheko.summary/summary/%23room:example.org | main     | generic
            POST   | /_matrix/client/unstable/org.matrix.msc4140/delayed_events/x/restart | main      | generic
            GET    | /_synapse/admin/v1/rooms/!abc:example.org                          | main        | generic
            GET    | /_synapse/admin/v2/users/@alice:example.org                        | main        | generic
            GET    | /_matrix/federation/v1/version                                     | main        | federation_reader
            GET    | /_matrix/client/v1/media/download/example.org/abc                  | main        | media
            PUT    | /_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled | main       | push_rules
            POST   | /_matrix/client/unstable/org.matrix.simplified_msc3575/sync        | main        | synchrotron
            # --- what they do serve: unchanged
            GET    | /_matrix/client/v3/sync?since=s1                                   | synchrotron | synchrotron
            GET    | /_matrix/client/v3/sync                                            | initial_synchrotron | initial_synchrotron
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/send/m.room.message/t1   | generic     | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/typing/@alice:example.org | typing     | typing
            POST   | /_matrix/client/v3/rooms/!abc:example.org/receipt/m.read/$ev1      | receipts    | receipts
            PUT    | /_matrix/client/v3/sendToDevice/m.room.encrypted/t2                | to_device   | to_device
            PUT    | /_matrix/client/v3/user/@alice:example.org/account_data/m.direct   | account_data | account_data
            GET    | /_matrix/client/v3/user/@alice:example.org/account_data/m.direct   | generic     | generic
            GET    | /_matrix/client/v3/pushrules/                                      | generic     | generic
            POST   | /_matrix/client/v3/login                                           | generic     | generic
            GET    | /_matrix/client/v3/account/whoami                                  | generic     | generic
            GET    | /_matrix/client/v3/profile/@alice:example.org/displayname          | generic     | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/messages?dir=b           | generic     | generic
            GET    | /_matrix/media/v3/download/example.org/abc                         | media       | media
            PUT    | /_matrix/federation/v1/send/1700000000000                          | federation_reader | federation_reader
            GET    | /_synapse/client/oidc/callback?code=x                              | sso_login   | sso_login
            """)
    void routesFollowTheRelease(String method, String target, String at167, String at157) throws ConfigException {
        RoutingSnapshot old = RoutingSnapshot.compile(spec("synapse: {version: \"1.67.0\"}\n"));
        RoutingSnapshot current = RoutingSnapshot.compile(spec("synapse: {version: \"1.157.1\"}\n"));

        assertEquals(at167, upstreamFor(old, method, target), "1.67.0");
        assertEquals(at157, upstreamFor(current, method, target), "1.157.1");
    }

    @Test
    void aRouteMovesToWorkersWithTheReleaseThatHasIt() throws ConfigException {
        String target = "/_matrix/client/v3/register/available?username=bob";
        assertEquals("main", upstreamFor(RoutingSnapshot.compile(spec("synapse: {version: \"1.79.9\"}\n")), "GET", target));
        assertEquals("generic", upstreamFor(RoutingSnapshot.compile(spec("synapse: {version: \"1.80.0\"}\n")), "GET", target));
    }

    @Test
    void heldBackRoutesSayUntilWhenAndTheNewestReleaseHoldsNothing() throws ConfigException {
        RoutingSnapshot old = RoutingSnapshot.compile(spec("synapse: {version: \"1.67.0\"}\n"));
        Route capabilities = old.route(SynapsePresetTableTest.Request.of("GET", "/_matrix/client/v3/capabilities"));
        Route sync = old.route(SynapsePresetTableTest.Request.of("GET", "/_matrix/client/v3/sync?since=s1"));

        assertEquals(SynapseVersion.parse("1.82.0"), old.heldBackUntil(capabilities));
        assertNull(old.heldBackUntil(sync));
        assertEquals(List.of(), capabilities.fallbacks(), "main has no fallback");
        assertTrue(old.heldBackCount() > 20, "held back at 1.67.0: " + old.heldBackCount());
        assertEquals(0, RoutingSnapshot.compile(spec("synapse: {version: \"1.157.1\"}\n")).heldBackCount());
    }

    /** auto, before anything is learnt: the table as of its own release (the README's documented choice). */
    @Test
    void anUnknownReleaseHoldsNothingBack() throws ConfigException {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(spec(""));

        assertEquals(0, snapshot.heldBackCount());
        assertEquals(null, snapshot.followed().version());
        assertEquals("generic", upstreamFor(snapshot, "GET", "/_matrix/client/v3/capabilities"));
    }

    @Test
    void aReleaseOlderThanEveryWorkerRouteSendsEverythingButMediaToMain() throws ConfigException {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(spec("synapse: {version: \"1.12.0\"}\n"));

        assertEquals("main", upstreamFor(snapshot, "GET", "/_matrix/client/v3/sync?since=s1"));
        assertEquals("main", upstreamFor(snapshot, "PUT", "/_matrix/client/v3/rooms/!abc:example.org/typing/@a:x"));
        assertEquals("media", upstreamFor(snapshot, "GET", "/_matrix/media/v3/download/example.org/abc"));
    }

    @Test
    void theFollowedReleaseIsLearntByCompileToo() throws ConfigException {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(spec(""), SynapsePreset.builtIn(), TokenUsers.NONE, null,
                new FollowedSynapse(SynapseVersion.parse("1.67.0"), "reported by main 10.0.0.1:8008"));

        assertEquals("main", upstreamFor(snapshot, "GET", "/_matrix/client/v3/capabilities"));
    }

    @Test
    void printedTableSaysWhatIsHeldBackAndWhy() throws ConfigException {
        String printed = RouteTablePrinter.print(RoutingSnapshot.compile(spec("synapse: {version: \"1.67.0\"}\n")),
                SynapsePreset.builtIn());

        assertTrue(printed.contains("# following Synapse 1.67.0 (synapse.version): "), printed);
        String capabilitiesLine = printed.lines().filter(line -> line.contains("/capabilities$")).findFirst().orElseThrow();
        assertTrue(capabilitiesLine.contains("main") && capabilitiesLine.contains(
                "[held back: workers serve it from Synapse 1.82.0]"), capabilitiesLine);
        String syncLine = printed.lines().filter(line -> line.contains("(r0|v3)/sync$")).reduce((a, b) -> b).orElseThrow();
        assertTrue(!syncLine.contains("held back") && syncLine.contains("synchrotron"), syncLine);
    }
}
