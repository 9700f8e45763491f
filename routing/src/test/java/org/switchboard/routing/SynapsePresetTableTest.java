package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.ConfigException;
import org.switchboard.config.ConfigLoader;
import org.switchboard.config.SwitchboardSpec;

/**
 * The built-in Synapse table (synapse-preset.yaml) against requests real clients and servers
 * send, one upstream per role so the resolved upstream names the role. Targets are raw
 * request-targets: percent-encoded, with their query.
 */
class SynapsePresetTableTest {

    static final List<String> ROLES = List.of("main", "synchrotron", "initial_synchrotron", "generic", "media",
            "federation_reader", "typing", "to_device", "account_data", "receipts", "presence", "push_rules", "sso_login");

    /** A request as the proxy would see it; a Synapse-shaped token for the user hash key. */
    record Request(String method, String path, String query, String host, String clientAddress)
            implements RequestView {
        static Request of(String method, String target) {
            return new Request(method, RequestView.pathOf(target), RequestView.queryOf(target),
                    "matrix.example.org", "203.0.113.7");
        }

        @Override
        public String header(String name) {
            return name.equalsIgnoreCase("Authorization") ? "Bearer syt_YWxpY2U_TZ6yRbRcO7ElSOnPIjbn_2CLmpk" : null;
        }
    }

    private static RoutingSnapshot snapshotWith(List<String> upstreamNames) throws ConfigException {
        StringBuilder yaml = new StringBuilder("""
                listeners:
                  - name: client
                    address: "127.0.0.1:0"
                upstreams:
                """);
        for (int i = 0; i < upstreamNames.size(); i++) {
            yaml.append("  ").append(upstreamNames.get(i))
                    .append(": {endpoints: [\"10.0.0.").append(i + 1).append(":8008\"]}\n");
        }
        yaml.append("routes: [{preset: synapse}]\n");
        return RoutingSnapshot.compile(ConfigLoader.parse(yaml.toString(), "test"));
    }

    private static String upstreamFor(RoutingSnapshot snapshot, String method, String target) {
        Route route = snapshot.route(Request.of(method, target));
        assertNotNull(route, () -> method + " " + target + ": no route");
        return route.upstream().name();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # --- typing writer, and the traps the docs' unanchored .*/typing would fall into
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/typing/@alice:example.org              | typing
            PUT    | /_matrix/client/r0/rooms/!abc:example.org/typing/%40alice%3Aexample.org          | typing
            PUT    | /_matrix/client/api/v1/rooms/!abc:example.org/typing/@alice:example.org          | typing
            PUT    | /_matrix/client/unstable/rooms/!abc:example.org/typing/@alice:example.org        | typing
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/send/typing/txn1                       | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/state/m.room.topic/typing              | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/state/typing                           | generic
            PUT    | /_matrix/client/v1/rooms/!abc:example.org/typing/@alice:example.org              | main
            # --- to_device writer
            PUT    | /_matrix/client/v3/sendToDevice/m.room.encrypted/txn42                           | to_device
            PUT    | /_matrix/client/r0/sendToDevice/m.room_key_request/txn43                         | to_device
            PUT    | /_matrix/client/unstable/sendToDevice/m.secret.request/txn44                     | to_device
            # --- account_data writer: writes only; GETs are generic; state/send traps
            PUT    | /_matrix/client/v3/user/@alice:example.org/account_data/m.direct                 | account_data
            GET    | /_matrix/client/v3/user/@alice:example.org/account_data/m.direct                 | generic
            HEAD   | /_matrix/client/v3/user/@alice:example.org/account_data/m.direct                 | generic
            PUT    | /_matrix/client/r0/user/@alice:example.org/rooms/!abc:example.org/account_data/m.fully_read | account_data
            GET    | /_matrix/client/r0/user/@alice:example.org/rooms/!abc:example.org/account_data/m.fully_read | generic
            DELETE | /_matrix/client/unstable/org.matrix.msc3391/user/@alice:example.org/account_data/im.x | account_data
            DELETE | /_matrix/client/unstable/org.matrix.msc3391/user/@alice:example.org/rooms/!abc:example.org/account_data/im.x | account_data
            PUT    | /_matrix/client/v3/user/@alice:example.org/account_data/filter                   | account_data
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/state/account_data/x                   | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/send/account_data/txn2                 | generic
            PUT    | /_matrix/client/api/v1/user/@alice:example.org/account_data/m.direct             | main
            # --- tags (account_data stream)
            PUT    | /_matrix/client/v3/user/@alice:example.org/rooms/!abc:example.org/tags/m.favourite | account_data
            DELETE | /_matrix/client/v3/user/@alice:example.org/rooms/!abc:example.org/tags/m.favourite | account_data
            GET    | /_matrix/client/v3/user/@alice:example.org/rooms/!abc:example.org/tags           | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/state/m.tag/tags                       | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/send/tags/txn3                         | generic
            # --- receipts writer; %2F in a room-v3 event id stays one segment
            POST   | /_matrix/client/v3/rooms/!abc:example.org/receipt/m.read/$ev1:example.org        | receipts
            POST   | /_matrix/client/v3/rooms/!abc:example.org/receipt/m.read/$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg%2Fabc | receipts
            POST   | /_matrix/client/r0/rooms/!abc:example.org/read_markers                           | receipts
            POST   | /_matrix/client/unstable/rooms/!abc:example.org/receipt/m.read.private/$e        | receipts
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/state/m.room.x/receipt                 | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/send/read_markers/txn4                 | generic
            # --- presence writer: every method (a non-writer answers another user's presence with 500)
            PUT    | /_matrix/client/v3/presence/@alice:example.org/status                            | presence
            PUT    | /_matrix/client/api/v1/presence/@alice:example.org/status                        | presence
            GET    | /_matrix/client/v3/presence/@bob:example.org/status                              | presence
            HEAD   | /_matrix/client/r0/presence/@bob:example.org/status                              | presence
            # --- push_rules writer: writes only
            PUT    | /_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled              | push_rules
            DELETE | /_matrix/client/v3/pushrules/global/room/!abc:example.org                        | push_rules
            PUT    | /_matrix/client/r0/pushrules/global/content/x/actions                            | push_rules
            GET    | /_matrix/client/v3/pushrules/                                                    | generic
            GET    | /_matrix/client/api/v1/pushrules/global/override                                 | generic
            # --- initial sync: /sync without since (or with full_state=true), /initialSync
            GET    | /_matrix/client/v3/sync                                                          | initial_synchrotron
            GET    | /_matrix/client/v3/sync?filter=0&set_presence=online                             | initial_synchrotron
            GET    | /_matrix/client/r0/sync?since=s72594_4483_1934&full_state=true                   | initial_synchrotron
            GET    | /_matrix/client/v3/initialSync                                                   | initial_synchrotron
            GET    | /_matrix/client/api/v1/initialSync?limit=10                                      | initial_synchrotron
            GET    | /_matrix/client/v3/rooms/!abc:example.org/initialSync                            | initial_synchrotron
            # --- sync: incremental /sync, /events, sliding sync; the traps around them
            GET    | /_matrix/client/v3/sync?since=s72594_4483_1934&timeout=30000                     | synchrotron
            GET    | /_matrix/client/r0/sync?timeout=30000&since=s1_2_3&full_state=false              | synchrotron
            GET    | /_matrix/client/v3/sync?access_token=syt_YWxpY2U_x_y&since=s1                    | synchrotron
            GET    | /_matrix/client/v3/events?from=s1&timeout=30000                                  | synchrotron
            GET    | /_matrix/client/api/v1/events                                                    | synchrotron
            POST   | /_matrix/client/unstable/org.matrix.simplified_msc3575/sync?pos=1&timeout=30000   | synchrotron
            GET    | /_matrix/client/v3/sync/                                                         | main
            GET    | /_matrix/client/unstable/sync?since=s1                                           | main
            GET    | /_matrix/client/v3/SYNC?since=s1                                                 | main
            GET    | /_matrix/client/v3/rooms/!abc:example.org/events                                 | main
            # --- media, authenticated media, media admin
            GET    | /_matrix/media/v3/download/example.org/abcDEF                                    | media
            GET    | /_matrix/media/r0/thumbnail/example.org/abcDEF?width=96&height=96                | media
            POST   | /_matrix/media/v3/upload?filename=cat.png                                        | media
            GET    | /_matrix/media/v3/config                                                         | media
            GET    | /_matrix/client/v1/media/download/example.org/abcDEF/cat.png                     | media
            GET    | /_matrix/client/v1/media/thumbnail/example.org/abcDEF?width=32&height=32         | media
            GET    | /_matrix/client/v1/media/preview_url?url=https%3A%2F%2Fexample.com               | media
            GET    | /_matrix/federation/v1/media/download/abcDEF                                     | media
            GET    | /_matrix/federation/v1/media/thumbnail/abcDEF?width=32&height=32                 | media
            POST   | /_synapse/admin/v1/purge_media_cache?before_ts=1700000000000                     | media
            GET    | /_synapse/admin/v1/room/!abc:example.org/media                                   | media
            POST   | /_synapse/admin/v1/room/!abc:example.org/media/quarantine                        | media
            POST   | /_synapse/admin/v1/user/@alice:example.org/media/quarantine                      | media
            POST   | /_synapse/admin/v1/media/quarantine/example.org/abcDEF                           | media
            DELETE | /_synapse/admin/v1/media/example.org/abcDEF                                      | media
            POST   | /_synapse/admin/v1/quarantine_media/!abc:example.org                             | media
            GET    | /_synapse/admin/v1/users/@alice:example.org/media?limit=10                       | media
            # --- federation, inbound transactions, key server
            PUT    | /_matrix/federation/v1/send/1700000000000                                        | federation_reader
            GET    | /_matrix/federation/v1/version                                                   | federation_reader
            GET    | /_matrix/federation/v1/event/$ev1:example.org                                    | federation_reader
            GET    | /_matrix/federation/v1/state_ids/!abc:example.org?event_id=$ev1                  | federation_reader
            GET    | /_matrix/federation/v1/make_join/!abc:example.org/@bob:remote.org?ver=10         | federation_reader
            PUT    | /_matrix/federation/v2/send_join/!abc:example.org/$ev2%2Fx                       | federation_reader
            PUT    | /_matrix/federation/v2/invite/!abc:example.org/$ev3                              | federation_reader
            GET    | /_matrix/federation/v1/query/profile?user_id=@alice:example.org                  | federation_reader
            GET    | /_matrix/federation/v1/user/devices/@alice:example.org                           | federation_reader
            GET    | /_matrix/federation/v1/hierarchy/!abc:example.org                                | federation_reader
            POST   | /_matrix/key/v2/query                                                            | federation_reader
            GET    | /_matrix/key/v2/server                                                           | federation_reader
            GET    | /_matrix/federation/v1/openid/userinfo?access_token=x                            | main
            PUT    | /_matrix/federation/v1/3pid/onbind                                               | main
            # --- client API on generic workers
            POST   | /_matrix/client/v3/createRoom                                                    | generic
            GET    | /_matrix/client/v3/publicRooms?limit=20                                          | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/joined_members                         | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/context/$ev1%2Fx?limit=10             | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/members?at=s1                          | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/state                                  | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/hierarchy                              | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/relations/$ev1%2Fx/m.thread            | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/threads                                | generic
            GET    | /_matrix/client/v1/room_summary/%23room:example.org                              | generic
            GET    | /_matrix/client/v3/account/whoami                                                | generic
            POST   | /_matrix/client/v3/delete_devices                                                | generic
            GET    | /_matrix/client/v3/devices                                                       | generic
            PUT    | /_matrix/client/v3/devices/ABCDEFGH                                              | generic
            GET    | /_matrix/client/versions                                                         | generic
            GET    | /_matrix/client/v3/voip/turnServer                                               | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/event/$Rqnc-F-dvnEYJTyHq%2Fabc         | generic
            GET    | /_matrix/client/v3/joined_rooms                                                  | generic
            GET    | /_matrix/client/v1/rooms/!abc:example.org/timestamp_to_event?ts=1&dir=f          | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/aliases                                | generic
            POST   | /_matrix/client/v3/search                                                        | generic
            POST   | /_matrix/client/v3/user/@alice:example.org/filter                                | generic
            GET    | /_matrix/client/v3/user/@alice:example.org/filter/0                              | generic
            GET    | /_matrix/client/v3/directory/room/%23room:example.org                            | generic
            GET    | /_matrix/client/v3/capabilities                                                  | generic
            GET    | /_matrix/client/v3/notifications                                                 | generic
            POST   | /_matrix/client/v3/keys/query                                                    | generic
            POST   | /_matrix/client/v3/keys/claim                                                    | generic
            POST   | /_matrix/client/v3/keys/upload                                                   | generic
            GET    | /_matrix/client/v3/room_keys/version                                             | generic
            POST   | /_matrix/client/v3/keys/signatures/upload                                        | generic
            POST   | /_matrix/client/v3/login                                                         | generic
            POST   | /_matrix/client/v3/register                                                      | generic
            GET    | /_matrix/client/v3/register/available?username=bob                               | generic
            GET    | /_matrix/client/v1/register/m.login.registration_token/validity?token=x          | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/send/m.room.message/txn5               | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/redact/$ev1%2Fx/txn6                   | generic
            PUT    | /_matrix/client/v3/rooms/!abc:example.org/state/m.room.name/                     | generic
            POST   | /_matrix/client/v3/rooms/!abc:example.org/invite                                 | generic
            POST   | /_matrix/client/v3/join/%23room:example.org?server_name=example.org              | generic
            POST   | /_matrix/client/v3/knock/!abc:example.org                                        | generic
            GET    | /_matrix/client/v3/profile/@alice:example.org/displayname                        | generic
            GET    | /_matrix/client/v3/rooms/!abc:example.org/messages?dir=b&from=t1                 | generic
            POST   | /_matrix/client/v3/user_directory/search                                         | generic
            POST   | /_matrix/client/unstable/org.matrix.msc4140/delayed_events/abc/restart           | generic
            # --- admin: the docs' worker exceptions, then everything else on main
            GET    | /_synapse/admin/v1/rooms/!abc:example.org                                        | generic
            DELETE | /_synapse/admin/v1/rooms/!abc:example.org                                        | generic
            GET    | /_synapse/admin/v2/users/@alice:example.org                                      | generic
            PUT    | /_synapse/admin/v2/users/@alice:example.org                                      | main
            GET    | /_synapse/admin/v2/users/@alice:example.org/devices                              | main
            GET    | /_synapse/admin/v1/rooms/!abc:example.org/members                                | main
            GET    | /_synapse/admin/v1/rooms?limit=10                                                | main
            GET    | /_synapse/admin/v1/server_version                                                | main
            POST   | /_synapse/admin/v1/purge_history/!abc:example.org                                | main
            # --- SSO, CAS, OIDC, SAML login steps: one process
            GET    | /_matrix/client/v3/login/sso/redirect?redirectUrl=https%3A%2F%2Fapp              | sso_login
            GET    | /_matrix/client/r0/login/sso/redirect/oidc-github?redirectUrl=x                  | sso_login
            GET    | /_synapse/client/pick_idp?idp=oidc-github&redirectUrl=x                          | sso_login
            GET    | /_synapse/client/pick_username/account                                           | sso_login
            POST   | /_synapse/client/pick_username/submit                                            | sso_login
            POST   | /_synapse/client/new_user_consent                                                | sso_login
            GET    | /_synapse/client/sso_register                                                    | sso_login
            GET    | /_synapse/client/oidc/callback?code=x&state=y                                    | sso_login
            POST   | /_synapse/client/saml2/authn_response                                            | sso_login
            GET    | /_matrix/client/v3/login/cas/ticket?redirectUrl=x&ticket=y                       | sso_login
            GET    | /_synapse/client/password_reset/email/submit_token                               | main
            GET    | /_matrix/client/v3/login/cas/redirect                                            | main
            # --- unmatched: main
            POST   | /_matrix/client/v3/logout                                                        | main
            POST   | /_matrix/client/v3/account/password                                              | main
            POST   | /_matrix/client/v3/rooms/!abc:example.org/upgrade                                | main
            GET    | /.well-known/matrix/client                                                       | main
            GET    | /health                                                                          | main
            GET    | /                                                                                | main
            """)
    void routesEachRequestToItsRole(String method, String target, String expectedRole) throws ConfigException {
        RoutingSnapshot snapshot = snapshotWith(ROLES);

        assertEquals(expectedRole, upstreamFor(snapshot, method, target), () -> method + " " + target);
    }

    @Test
    void rolesWithoutUpstreamFallBack() throws ConfigException {
        RoutingSnapshot snapshot = snapshotWith(List.of("main", "synchrotron"));

        assertEquals("main", upstreamFor(snapshot, "PUT",
                "/_matrix/client/v3/rooms/!abc:example.org/typing/@alice:example.org"), "typing writer absent");
        assertEquals("synchrotron", upstreamFor(snapshot, "GET",
                "/_matrix/client/v3/sync?since=s72594_4483_1934&timeout=30000"), "incremental sync");
        assertEquals("synchrotron", upstreamFor(snapshot, "GET", "/_matrix/client/v3/sync"),
                "initial_synchrotron absent: initial sync on the synchrotrons");
        assertEquals("synchrotron", upstreamFor(snapshot, "GET", "/_matrix/client/v3/initialSync"),
                "initial_synchrotron absent: /initialSync on the synchrotrons");
        assertEquals("main", upstreamFor(snapshot, "GET", "/_matrix/client/v3/pushrules/"),
                "generic absent: push rule reads on main");
        assertEquals("main", upstreamFor(snapshot, "GET", "/_matrix/media/v3/download/example.org/abcDEF"),
                "media absent");
        assertEquals("main", upstreamFor(snapshot, "GET", "/_synapse/client/oidc/callback?code=x"), "sso_login absent");
        assertEquals("main", upstreamFor(snapshot, "GET", "/_matrix/federation/v1/event/$ev1:example.org"),
                "federation_reader and generic absent");
    }

    /** Any generic worker serves the docs' federation endpoints: without federation_reader they go there. */
    @Test
    void federationReadsFallBackToGenericWorkersThenMain() throws ConfigException {
        RoutingSnapshot snapshot = snapshotWith(List.of("main", "generic"));

        for (String target : List.of("/_matrix/federation/v1/send/1700000000000", "/_matrix/federation/v1/event/$ev1",
                "/_matrix/key/v2/query", "/_matrix/federation/v2/send_join/!abc:example.org/$ev2")) {
            Route route = snapshot.route(Request.of("PUT", target));
            assertEquals("generic", route.upstream().name(), target);
            assertEquals(List.of("main"), route.fallbacks().stream().map(Upstream::name).toList(), target);
        }
        assertEquals("main", upstreamFor(snapshot, "GET", "/_matrix/federation/v1/openid/userinfo"), "not in the docs' list");
    }

    /** roles: {federation_reader: X} is the operator's choice: no generic worker in between. */
    @Test
    void aMappedFederationReaderRoleSkipsTheGenericWorkers() throws ConfigException {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(ConfigLoader.parse("""
                listeners: [{name: client, address: "127.0.0.1:0"}]
                upstreams:
                  main: {endpoints: ["10.0.0.1:8008"]}
                  generic: {endpoints: ["10.0.0.2:8008"]}
                roles: {federation_reader: main}
                routes: [{preset: synapse}]
                """, "test"));

        Route route = snapshot.route(Request.of("GET", "/_matrix/federation/v1/event/$ev1"));
        assertEquals("main", route.upstream().name());
        assertEquals(List.of(), route.fallbacks());
    }

    /** Every step of every SSO login on one process: one endpoint of several, whoever asks, until it is down. */
    @Test
    void ssoLoginStepsShareOneEndpointOfSeveral() throws ConfigException {
        RoutingSnapshot snapshot = RoutingSnapshot.compile(ConfigLoader.parse("""
                listeners: [{name: client, address: "127.0.0.1:0"}]
                upstreams:
                  main: {endpoints: ["10.0.0.1:8008"]}
                  sso_login: {endpoints: ["10.0.1.1:8008", "10.0.1.2:8008", "10.0.1.3:8008"]}
                routes: [{preset: synapse}]
                """, "test"));
        List<Request> steps = List.of(
                new Request("GET", "/_matrix/client/v3/login/sso/redirect", "redirectUrl=x", "m.example.org", "198.51.100.1"),
                new Request("GET", "/_synapse/client/pick_idp", "idp=a", "m.example.org", "198.51.100.2"),
                new Request("GET", "/_synapse/client/oidc/callback", "code=1", "m.example.org", "203.0.113.9"),
                new Request("POST", "/_synapse/client/pick_username/submit", null, "m.example.org", "192.0.2.44"));

        Endpoint first = snapshot.route(steps.get(0)).pick(steps.get(0));
        for (Request step : steps) {
            assertEquals(first, snapshot.route(step).pick(step), step.path());
        }
        first.load().setAvailable(false);
        Endpoint next = snapshot.route(steps.get(0)).pick(steps.get(0));
        Assertions.assertNotEquals(first, next);
        for (Request step : steps) {
            assertEquals(next, snapshot.route(step).pick(step), step.path() + " with " + first + " down");
        }
    }
}
