package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.switchboard.systemtest.support.SynapseRig;

/**
 * Real client traffic through Switchboard's built-in table, with {@code synapse: {version: auto}}
 * and no routes of its own, in front of a real Synapse 1.67 split into workers
 * (../shared/synapse-rig): every request must succeed and must land on a process that can serve
 * it, which the process's own request log shows (each request carries a User-Agent of its own).
 * The table follows a much newer Synapse; what 1.67's workers lack must reach main because the
 * proxy learnt the release from main, not because of compatibility routes.
 *
 * <p>Run by the synapse-rig Maven profile (.ci/run), after the other tests; it needs the rig's
 * setup.sh to have run (Debian's PostgreSQL, Redis and Python packages).
 */
@Tag("synapse-rig")
class SynapseRigSystemTest {
    private static final Path JAR = Path.of("..", "..", "proxy-core", "target", "switchboard.jar");
    private static final Path LOGS = Path.of("target", "synapse-rig-logs");
    private static final String SERVER = "example.test";

    /** Synapse 1.67's generic_worker with the client resource serves these; main serves everything. */
    private static final Set<String> ANY_CLIENT_WORKER = Set.of("main", "generic1", "synchrotron1", "synchrotron2", "writer1");
    /** What 1.67's workers do not register: only main. */
    private static final Set<String> MAIN = Set.of("main");
    /** The stream writer of typing, to_device, account_data, receipts and presence. */
    private static final Set<String> WRITER = Set.of("writer1");
    private static final Set<String> MEDIA = Set.of("media1");
    /** Listeners with the federation resource. */
    private static final Set<String> FEDERATION = Set.of("main", "generic1");

    private static SynapseRig rig;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<Sent> SENT = new ArrayList<>();
    private static int sequence;

    /** One request: what it was, who may serve it, what came back. */
    record Sent(String userAgent, String what, Set<String> mayServe, int status, String body) {
    }

    @BeforeAll
    static void startRig() throws Exception {
        rig = SynapseRig.start(JAR, Integer.getInteger("synapse.rig.portBase", 21000), "synapse: {version: auto}\n");
    }

    @AfterAll
    static void stopRig() {
        if (rig != null) {
            rig.close(LOGS);
        }
    }

    @Test
    void theProxyFollowsTheReleaseMainReports() throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(rig.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("switchboard_synapse_version{source=\"reported\",version=\"1.67.0\"} 1"),
                () -> metrics.lines().filter(line -> line.contains("synapse")).toList().toString());
        assertTrue(rig.proxyLog().contains("built-in table follows Synapse 1.67.0 (reported by main 127.0.0.1:"),
                () -> "see " + rig.jarLog());

        Process print = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JAR.toAbsolutePath().toString(), "--print-routes", "--config", rig.config().toString())
                .redirectErrorStream(true).start();
        String printed = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, print.waitFor(), printed);
        assertTrue(printed.contains("# following Synapse 1.67.0 (reported by main 127.0.0.1:"), printed);
        assertTrue(printed.lines().anyMatch(line -> line.contains("/capabilities$")
                && line.contains("[held back: workers serve it from Synapse 1.82.0]")), printed);
    }

    @Test
    void realClientTrafficSucceedsAndLandsOnProcessesThatMayServeIt() throws Exception {
        // --- registration, login, the account
        send("register/available", MAIN, null, "GET", "/_matrix/client/v3/register/available?username=carol", null);
        User alice = register("alice");
        User bob = register("bob");
        Sent login = send("login", ANY_CLIENT_WORKER, null, "POST", "/_matrix/client/v3/login",
                "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"alice\"},"
                        + "\"password\":\"rig-password-alice\",\"initial_device_display_name\":\"alice's second device\"}");
        String aliceSecondToken = field(assertOk(login), "access_token");
        send("login flows", ANY_CLIENT_WORKER, null, "GET", "/_matrix/client/v3/login", null);
        send("versions", ANY_CLIENT_WORKER, null, "GET", "/_matrix/client/versions", null);
        assertTrue(assertOk(send("whoami", ANY_CLIENT_WORKER, alice.token, "GET", "/_matrix/client/v3/account/whoami", null))
                .contains(alice.id));
        send("capabilities", MAIN, alice.token, "GET", "/_matrix/client/v3/capabilities", null);
        send("push rules", ANY_CLIENT_WORKER, alice.token, "GET", "/_matrix/client/v3/pushrules/", null);

        // --- filters, devices, keys
        String filterId = field(assertOk(send("filter upload", MAIN, bob.token, "POST",
                "/_matrix/client/v3/user/" + enc(bob.id) + "/filter", "{\"room\":{\"timeline\":{\"limit\":20}}}")), "filter_id");
        send("filter download", MAIN, bob.token, "GET", "/_matrix/client/v3/user/" + enc(bob.id) + "/filter/" + filterId, null);
        send("devices", ANY_CLIENT_WORKER, alice.token, "GET", "/_matrix/client/v3/devices", null);
        send("device", MAIN, alice.token, "GET", "/_matrix/client/v3/devices/" + alice.device, null);
        send("device rename", MAIN, alice.token, "PUT", "/_matrix/client/v3/devices/" + alice.device,
                "{\"display_name\":\"alice's rig device\"}");
        send("keys upload", ANY_CLIENT_WORKER, alice.token, "POST", "/_matrix/client/v3/keys/upload", "{}");
        send("keys query", ANY_CLIENT_WORKER, alice.token, "POST", "/_matrix/client/v3/keys/query",
                "{\"device_keys\":{\"" + bob.id + "\":[]}}");

        // --- profile and directories
        send("displayname", ANY_CLIENT_WORKER, alice.token, "PUT", "/_matrix/client/v3/profile/" + enc(alice.id) + "/displayname",
                "{\"displayname\":\"Alice Rig\"}");
        send("profile", ANY_CLIENT_WORKER, bob.token, "GET", "/_matrix/client/v3/profile/" + enc(alice.id), null);
        String roomId = field(assertOk(send("createRoom", ANY_CLIENT_WORKER, alice.token, "POST", "/_matrix/client/v3/createRoom",
                "{\"preset\":\"public_chat\",\"room_alias_name\":\"rig\",\"name\":\"Rig\",\"visibility\":\"public\"}")), "room_id");
        String room = enc(roomId);
        String alias = enc("#rig:" + SERVER);
        assertTrue(assertOk(send("alias lookup", MAIN, bob.token, "GET", "/_matrix/client/v3/directory/room/" + alias, null))
                .contains(roomId));
        send("alias create", MAIN, alice.token, "PUT", "/_matrix/client/v3/directory/room/" + enc("#rig-two:" + SERVER),
                "{\"room_id\":\"" + roomId + "\"}");
        send("public rooms", ANY_CLIENT_WORKER, bob.token, "GET", "/_matrix/client/v3/publicRooms?limit=10", null);
        send("user directory", ANY_CLIENT_WORKER, bob.token, "POST", "/_matrix/client/v3/user_directory/search",
                "{\"search_term\":\"alice\",\"limit\":5}");

        // --- bob joins; his initial sync; alice's messages reach his incremental sync
        send("join", ANY_CLIENT_WORKER, bob.token, "POST", "/_matrix/client/v3/join/" + alias, "{}");
        String since = field(assertOk(send("initial sync", ANY_CLIENT_WORKER, bob.token, "GET",
                "/_matrix/client/v3/sync?timeout=0&filter=" + filterId, null)), "next_batch");
        String eventId = field(assertOk(send("send message", ANY_CLIENT_WORKER, alice.token, "PUT",
                "/_matrix/client/v3/rooms/" + room + "/send/m.room.message/rig-txn-1", "{\"msgtype\":\"m.text\",\"body\":\"hello bob\"}")),
                "event_id");
        assertEquals(eventId, field(assertOk(send("send message again (same txn id)", ANY_CLIENT_WORKER, alice.token, "PUT",
                "/_matrix/client/v3/rooms/" + room + "/send/m.room.message/rig-txn-1", "{\"msgtype\":\"m.text\",\"body\":\"hello bob\"}")),
                "event_id"), "a repeated transaction id gives the same event");
        send("send second message", ANY_CLIENT_WORKER, alice.token, "PUT",
                "/_matrix/client/v3/rooms/" + room + "/send/m.room.message/rig-txn-2", "{\"msgtype\":\"m.text\",\"body\":\"and again\"}");
        since = syncUntil(bob, since, eventId, "incremental sync sees alice's message");

        // --- ephemeral and per-user data: the stream writer's
        send("typing", WRITER, alice.token, "PUT", "/_matrix/client/v3/rooms/" + room + "/typing/" + enc(alice.id),
                "{\"typing\":true,\"timeout\":30000}");
        send("receipt", WRITER, bob.token, "POST", "/_matrix/client/v3/rooms/" + room + "/receipt/m.read/" + enc(eventId), "{}");
        send("read markers", WRITER, bob.token, "POST", "/_matrix/client/v3/rooms/" + room + "/read_markers",
                "{\"m.fully_read\":\"" + eventId + "\",\"m.read\":\"" + eventId + "\"}");
        String accountData = "/_matrix/client/v3/user/" + enc(alice.id) + "/account_data/org.example.rig";
        send("account data write", WRITER, alice.token, "PUT", accountData, "{\"rig\":true}");
        assertTrue(assertOk(send("account data read", ANY_CLIENT_WORKER, alice.token, "GET", accountData, null)).contains("rig"));
        send("room account data write", WRITER, alice.token, "PUT",
                "/_matrix/client/v3/user/" + enc(alice.id) + "/rooms/" + room + "/account_data/org.example.rig.room", "{\"n\":1}");
        String tags = "/_matrix/client/v3/user/" + enc(alice.id) + "/rooms/" + room + "/tags";
        send("tag", WRITER, alice.token, "PUT", tags + "/m.favourite", "{\"order\":0.5}");
        assertTrue(assertOk(send("tags", ANY_CLIENT_WORKER, alice.token, "GET", tags, null)).contains("m.favourite"));
        send("untag", WRITER, alice.token, "DELETE", tags + "/m.favourite", null);
        send("presence set", WRITER, alice.token, "PUT", "/_matrix/client/v3/presence/" + enc(alice.id) + "/status",
                "{\"presence\":\"online\",\"status_msg\":\"on the rig\"}");
        send("presence of another user", WRITER, bob.token, "GET", "/_matrix/client/v3/presence/" + enc(alice.id) + "/status", null);
        send("to-device", WRITER, alice.token, "PUT", "/_matrix/client/v3/sendToDevice/org.example.rig/rig-txn-3",
                "{\"messages\":{\"" + bob.id + "\":{\"" + bob.device + "\":{\"hello\":\"bob's device\"}}}}");
        syncUntil(bob, since, "org.example.rig", "incremental sync sees alice's to-device message");

        // --- history, state, notifications
        assertTrue(assertOk(send("messages", ANY_CLIENT_WORKER, bob.token, "GET",
                "/_matrix/client/v3/rooms/" + room + "/messages?dir=b&limit=10", null)).contains(eventId));
        send("members", ANY_CLIENT_WORKER, bob.token, "GET", "/_matrix/client/v3/rooms/" + room + "/members", null);
        send("room state", ANY_CLIENT_WORKER, bob.token, "GET", "/_matrix/client/v3/rooms/" + room + "/state", null);
        send("joined rooms", ANY_CLIENT_WORKER, bob.token, "GET", "/_matrix/client/v3/joined_rooms", null);
        send("notifications", MAIN, bob.token, "GET", "/_matrix/client/v3/notifications", null);

        // --- media: upload, download, thumbnail
        String contentUri = field(assertOk(send("media upload", MEDIA, alice.token, "POST",
                "/_matrix/media/v3/upload?filename=rig.png", png(), "image/png")), "content_uri");
        String mediaPath = contentUri.substring("mxc://".length());
        send("media download", MEDIA, bob.token, "GET", "/_matrix/media/v3/download/" + mediaPath, null);
        send("media thumbnail", MEDIA, bob.token, "GET", "/_matrix/media/v3/thumbnail/" + mediaPath
                + "?width=32&height=32&method=scale", null);

        // --- federation reads the proxy takes on behalf of other servers
        send("federation version", FEDERATION, null, "GET", "/_matrix/federation/v1/version", null);
        send("server keys", FEDERATION, null, "GET", "/_matrix/key/v2/server", null);

        // --- logout (alice's second device)
        send("logout", MAIN, aliceSecondToken, "POST", "/_matrix/client/v3/logout", "{}");

        List<String> problems = new ArrayList<>();
        for (Sent request : SENT) {
            if (request.status() / 100 != 2) {
                problems.add(request.what() + " [" + request.userAgent() + "]: status " + request.status() + " " + cut(request.body()));
            }
        }
        // Each process logs a request when it is done with it; allow them a moment, then report what is missing.
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> SENT.stream()
                    .allMatch(request -> !loggedBy(request).isEmpty()));
        } catch (ConditionTimeoutException missing) {
            // Reported below, request by request.
        }
        for (Sent request : SENT) {
            List<String> servedBy = loggedBy(request);
            if (servedBy.isEmpty() || !request.mayServe().containsAll(servedBy)) {
                problems.add(request.what() + " [" + request.userAgent() + "]: served by " + servedBy + ", may be served by "
                        + request.mayServe());
            }
        }
        assertTrue(problems.isEmpty(), () -> SENT.size() + " requests, " + problems.size() + " problems (logs in "
                + LOGS.toAbsolutePath() + "):\n  " + String.join("\n  ", problems));
    }

    private static List<String> loggedBy(Sent request) {
        try {
            return rig.processesThatLogged(request.userAgent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record User(String id, String token, String device) {
    }

    private static User register(String name) throws Exception {
        String body = assertOk(send("register " + name, ANY_CLIENT_WORKER, null, "POST", "/_matrix/client/v3/register",
                "{\"username\":\"" + name + "\",\"password\":\"rig-password-" + name + "\",\"auth\":{\"type\":\"m.login.dummy\"},"
                        + "\"initial_device_display_name\":\"" + name + "'s rig device\"}"));
        return new User(field(body, "user_id"), field(body, "access_token"), field(body, "device_id"));
    }

    /** Incremental syncs from {@code since} until one holds {@code expected}; the last next_batch. */
    private static String syncUntil(User user, String since, String expected, String what) throws Exception {
        for (int attempt = 0; attempt < 10; attempt++) {
            String body = assertOk(send(what, ANY_CLIENT_WORKER, user.token(), "GET",
                    "/_matrix/client/v3/sync?timeout=3000&since=" + enc(since), null));
            if (body.contains(expected)) {
                return field(body, "next_batch");
            }
            since = field(body, "next_batch");
        }
        throw new AssertionError(what + ": " + expected + " never came");
    }

    private static Sent send(String what, Set<String> mayServe, String token, String method, String target, String json)
            throws Exception {
        return send(what, mayServe, token, method, target, json == null ? null : json.getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    /** One request with a User-Agent of its own, recorded with the processes that may serve it. */
    private static Sent send(String what, Set<String> mayServe, String token, String method, String target, byte[] body,
                             String contentType) throws Exception {
        String userAgent = "switchboard-rig-test/" + (++sequence) + "/" + what.replaceAll("[^A-Za-z0-9]+", "-");
        HttpRequest.Builder request = HttpRequest.newBuilder(rig.uri(target)).timeout(Duration.ofSeconds(60))
                .header("User-Agent", userAgent)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        Sent sent = new Sent(userAgent, what + " (" + method + " " + target + ")", mayServe, response.statusCode(),
                new String(response.body(), StandardCharsets.UTF_8));
        SENT.add(sent);
        return sent;
    }

    /** The body of a 2xx answer; any other fails the test at once (later steps need its fields). */
    private static String assertOk(Sent sent) {
        assertEquals(2, sent.status() / 100, () -> sent.what() + ": " + sent.status() + " " + cut(sent.body()));
        return sent.body();
    }

    private static final Pattern STRING_FIELD = Pattern.compile("\"([A-Za-z_]+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** A string field of a JSON answer (the first with that name). */
    private static String field(String json, String name) {
        Matcher m = STRING_FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no \"" + name + "\" in " + cut(json));
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String cut(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** A 64x64 PNG, so Synapse has something to thumbnail. */
    private static byte[] png() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 64; y++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 0x80);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static {
        // Headless: the PNG is drawn without a display.
        System.setProperty("java.awt.headless", "true");
    }
}
