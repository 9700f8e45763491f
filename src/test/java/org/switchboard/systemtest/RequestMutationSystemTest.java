package org.switchboard.systemtest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.DeadlineClient;
import org.switchboard.systemtest.support.HttpWire;
import org.switchboard.systemtest.support.LeakCheck;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.StrictRequestParser;
import org.switchboard.systemtest.support.TinyUpstream;
import org.switchboard.systemtest.support.WireTap;

/**
 * Seeded byte mutations of valid requests, each on its own connection: whatever the proxy makes
 * of them, it answers or closes (never hangs), stays healthy, leaks no buffer (LeakCheck), and
 * sends Synapse only requests that a strict parser reads one way.
 *
 * <p>The campaign runs once, before the tests; each test checks one property of its outcome.
 * A hang is reported with its case number and bytes, an upstream fault with the bytes forwarded;
 * the same seed replays the same mutants.
 */
@ExtendWith(LeakCheck.class)
class RequestMutationSystemTest {
    private static final long SEED = 0x5EED_B0A2DL;
    private static final int CASES = 300;
    /** How long a mutant that may be incomplete gets before we end our side of the connection. */
    private static final Duration PATIENCE = Duration.ofMillis(300);
    /** After our side has ended, the proxy must answer or close within this. */
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final byte[][] INSERTIONS = {
            {'\r'}, {'\n'}, {0}, {' '}, {'\t'}, {':'}, {','}, {'\r', '\n'}, {'\r', '\n', ' '},
    };

    @TempDir
    static Path dir;
    static TinyUpstream tiny;
    static WireTap tap;
    static ProxyUnderTest proxy;

    static final List<String> hangs = new ArrayList<>();
    static final List<String> unhealthy = new ArrayList<>();
    static final TreeMap<String, Integer> outcomes = new TreeMap<>();

    @BeforeAll
    static void runCampaign() throws Exception {
        tiny = new TinyUpstream(TinyUpstream.echoTarget());
        tap = new WireTap(tiny.port());
        proxy = ProxyUnderTest.startInFrontOf(dir, tap.endpoint());
        List<byte[]> seeds = seeds();
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            byte[] mutant = seeds.get(random.nextInt(seeds.size()));
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                mutant = mutate(mutant, random);
            }
            send(i, mutant);
            if (i % 50 == 49) {
                checkHealthy("after case " + i);
            }
        }
        checkHealthy("after the campaign");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        tap.close();
        tiny.close();
    }

    @Test
    void everyMutantIsAnsweredOrClosedInTime() {
        assertEquals(List.of(), hangs, "outcomes: " + outcomes);
    }

    @Test
    void proxyStaysHealthyThroughTheCampaign() {
        assertEquals(List.of(), unhealthy);
    }

    @Test
    void campaignExercisedBothRefusalAndForwarding() {
        // Guards the campaign itself: mutants too mild (all forwarded) or too wild (all refused)
        // would make the properties below hold trivially.
        assertTrue(outcomes.getOrDefault("400", 0) > CASES / 10, "outcomes: " + outcomes);
        assertTrue(outcomes.getOrDefault("200", 0) > CASES / 10, "outcomes: " + outcomes);
    }

    /**
     * What the upstream parsed: request line, field names, values, Content-Length and
     * Transfer-Encoding as {@link TinyUpstream} saw them (request-target content aside: see
     * {@link #upstreamReceivedOnlyCleanTargetsAndOneHost()}).
     */
    @Test
    void upstreamReceivedNoAmbiguousRequest() {
        List<String> faults = new ArrayList<>();
        for (TinyUpstream.Received request : tiny.received()) {
            String fault = faultOf(request.head());
            if (fault != null) {
                faults.add(fault + ": " + request.head().startLine() + " " + request.head().headerNames());
            }
        }
        assertEquals(List.of(), faults);
    }

    /** What went over the wire, read strictly: catches what a lenient parser would hide. */
    @Test
    void everyUpstreamConnectionWasFramedExactly() {
        List<String> faults = new ArrayList<>();
        for (byte[] connection : tap.upstreamBytes()) {
            StrictRequestParser.Result result = StrictRequestParser.parse(connection);
            if (!result.wellFramed()) {
                faults.add(result.framingFault());
            }
        }
        assertEquals(List.of(), faults);
    }

    @Test
    void upstreamReceivedOnlyCleanTargetsAndOneHost() {
        List<String> faults = new ArrayList<>();
        for (byte[] connection : tap.upstreamBytes()) {
            faults.addAll(StrictRequestParser.parse(connection).contentFaults());
        }
        assertEquals(List.of(), faults);
    }

    private static void send(int index, byte[] mutant) throws Exception {
        try (DeadlineClient client = new DeadlineClient(proxy.address(), PATIENCE)) {
            client.send(mutant);
            DeadlineClient.Reply reply = client.awaitReply();
            String outcome;
            if (reply.timedOut()) {
                // Waiting for the rest of a request is fine; once there is no rest, it is not.
                client.shutdownOutput();
                client.deadline(DEADLINE);
                reply = client.awaitReply();
                if (reply.timedOut()) {
                    hangs.add("case " + index + ": " + printable(mutant));
                }
                outcome = "after end of input: " + (reply.response() != null ? reply.status() : reply.closed() ? "closed" : "hang");
            } else {
                outcome = reply.response() != null ? String.valueOf(reply.status()) : "closed";
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
    }

    private static void checkHealthy(String when) throws Exception {
        String target = "/mutation/health/" + when.replace(' ', '-');
        try (DeadlineClient client = new DeadlineClient(proxy.address(), DEADLINE)) {
            client.send(HttpWire.ascii("GET " + target + " HTTP/1.1\r\nHost: matrix.example.org\r\n\r\n"));
            DeadlineClient.Reply reply = client.awaitReply();
            if (reply.status() != 200) {
                unhealthy.add(when + ": " + reply);
                return;
            }
        }
        // Once this has arrived, everything sent upstream before it has been recorded too.
        await().atMost(DEADLINE).until(() -> tiny.received().stream().anyMatch(r -> r.target().equals(target)));
    }

    private static List<byte[]> seeds() {
        String json = "{\"msgtype\":\"m.text\",\"body\":\"hello\"}";
        return List.of(
                HttpWire.ascii("GET /_matrix/client/v3/sync?since=s72594_4483_1934&timeout=0 HTTP/1.1\r\n"
                        + "Host: matrix.example.org\r\n"
                        + "Authorization: Bearer syt_YWxpY2U_abcdef\r\n"
                        + "Accept: application/json\r\n"
                        + "User-Agent: mutation/1.0\r\n\r\n"),
                HttpWire.ascii("POST /_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/t1 HTTP/1.1\r\n"
                        + "Host: matrix.example.org\r\n"
                        + "Content-Type: application/json\r\n"
                        + "Content-Length: " + json.length() + "\r\n\r\n" + json),
                HttpWire.ascii("POST /_matrix/media/v3/upload?filename=a.txt HTTP/1.1\r\n"
                        + "Host: matrix.example.org\r\n"
                        + "Content-Type: text/plain\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
    }

    private static byte[] mutate(byte[] request, Random random) {
        int at = random.nextInt(request.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (random.nextInt(4)) {
            case 0 -> { // flip one bit
                byte[] copy = request.clone();
                copy[at] ^= (byte) (1 << random.nextInt(8));
                return copy;
            }
            case 1 -> { // insert a byte that matters to framing
                out.write(request, 0, at);
                out.writeBytes(INSERTIONS[random.nextInt(INSERTIONS.length)]);
                out.write(request, at, request.length - at);
            }
            case 2 -> { // delete one to three bytes
                int count = Math.min(request.length - at, 1 + random.nextInt(3));
                out.write(request, 0, at);
                out.write(request, at + count, request.length - at - count);
            }
            default -> { // duplicate the line the position falls in
                int start = at;
                while (start > 0 && request[start - 1] != '\n') {
                    start--;
                }
                int end = at;
                while (end < request.length && request[end] != '\n') {
                    end++;
                }
                end = Math.min(request.length, end + 1);
                out.write(request, 0, end);
                out.write(request, start, end - start);
                out.write(request, end, request.length - end);
            }
        }
        return out.toByteArray();
    }

    /** The brief's checks on a parsed head, or null when it passes them. */
    private static String faultOf(HttpWire.Head head) {
        String[] parts = head.startLine().split(" ", -1);
        if (parts.length != 3 || !StrictRequestParser.isToken(parts[0]) || parts[1].isEmpty()
                || !parts[2].equals("HTTP/1.1")) {
            return "request line is not METHOD SP target SP HTTP/1.1";
        }
        int contentLengths = 0;
        boolean transferEncoding = false;
        for (String[] header : head.headers()) {
            if (!StrictRequestParser.isToken(header[0])) {
                return "field name is not a token";
            }
            if (header[1].chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                return "CR, LF or NUL in a field value";
            }
            String name = header[0].toLowerCase(Locale.ROOT);
            contentLengths += name.equals("content-length") ? 1 : 0;
            transferEncoding |= name.equals("transfer-encoding");
        }
        if (contentLengths > 1) {
            return "more than one Content-Length";
        }
        if (contentLengths == 1 && transferEncoding) {
            return "both Content-Length and Transfer-Encoding";
        }
        return null;
    }

    private static String printable(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                default -> text.append(c < 0x20 || c >= 0x7f ? "\\x%02x".formatted(c) : String.valueOf((char) c));
            }
        }
        return text.toString();
    }
}
