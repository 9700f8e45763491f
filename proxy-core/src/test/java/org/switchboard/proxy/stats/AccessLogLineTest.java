package org.switchboard.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The access-log line is rendered as bytes; it must still be one valid JSON object per line. */
class AccessLogLineTest {

    private static RequestRecord record() {
        RequestRecord r = new RequestRecord();
        r.start(0, "2001:db8::7");
        r.method = "PUT";
        r.path = "/_matrix/client/v3/rooms/!r:x/send/m.room.message/t\"1\\";
        r.route = "synapse/event_send";
        r.upstream = "gén\u00e9ric \uD83D\uDE00";
        r.endpoint = "synapse-generic-0.synapse-generic.matrix.svc";
        r.status = 200;
        r.bytesIn = 17;
        r.bytesOut = 12345;
        r.upstreamNanos = 1_234_567;
        r.termination = RequestRecord.Termination.CLIENT_ABORTED;
        return r;
    }

    @Test
    void rendersEveryFieldEscapedAndInUtf8() {
        RequestRecord r = record();
        r.requestIdHigh = 0x0123456789abcdefL;
        r.requestIdLow = -1L;
        r.requestId = null; // the id is our own: two longs, written as hex
        r.retries = 1;
        byte[] chunk = new byte[AccessLogLine.MAX_LINE];
        int end = new AccessLogLine().render(r, 1_764_624_059_559L, 98_765_432L, chunk, 0);
        String line = new String(chunk, 0, end, StandardCharsets.UTF_8);
        assertEquals("{\"time\":\"2025-12-01T21:20:59.559Z\",\"request_id\":\"0123456789abcdefffffffffffffffff\","
                + "\"client\":\"2001:db8::7\",\"protocol\":\"h1\",\"method\":\"PUT\","
                + "\"path\":\"/_matrix/client/v3/rooms/!r:x/send/m.room.message/t\\\"1\\\\\","
                + "\"route\":\"synapse/event_send\",\"upstream\":\"gén\u00e9ric \uD83D\uDE00\","
                + "\"endpoint\":\"synapse-generic-0.synapse-generic.matrix.svc\",\"status\":200,\"bytes_in\":17,"
                + "\"bytes_out\":12345,\"duration_ms\":98.765,\"upstream_ms\":1.234,\"retries\":1,\"termination\":\"client_aborted\"}\n", line);
    }

    @Test
    void linesAfterTheFirstReuseTheQuotedNamesAndStillSayWhatChanged() {
        AccessLogLine renderer = new AccessLogLine();
        byte[] chunk = new byte[AccessLogLine.MAX_LINE];
        RequestRecord first = record();
        String once = new String(chunk, 0, renderer.render(first, 0, 0, chunk, 0), StandardCharsets.UTF_8);
        String again = new String(chunk, 0, renderer.render(first, 0, 0, chunk, 0), StandardCharsets.UTF_8);
        assertEquals(once, again, "the same objects render the same line");

        // Other objects (new names after a reload, many routes filling the table) are quoted anew.
        for (int i = 0; i < 200; i++) {
            RequestRecord other = record();
            other.route = "route \"" + i + "\"";
            other.upstream = new String("gén\u00e9ric \uD83D\uDE00");
            other.endpoint = null;
            String line = new String(chunk, 0, renderer.render(other, 0, 0, chunk, 0), StandardCharsets.UTF_8);
            assertTrue(line.contains("\"route\":\"route \\\"" + i + "\\\"\""), line);
            assertTrue(line.contains("\"upstream\":\"gén\u00e9ric \uD83D\uDE00\""), line);
            assertTrue(line.contains("\"endpoint\":null"), line);
        }
    }

    @Test
    void theClientIsQuotedOncePerRecordAndAnewWhenItsAddressChanges() {
        AccessLogLine renderer = new AccessLogLine();
        byte[] chunk = new byte[AccessLogLine.MAX_LINE];
        RequestRecord r = record();
        r.client = "198.51.100.7";
        assertTrue(render(renderer, r, chunk).contains("\"client\":\"198.51.100.7\""));
        assertTrue(render(renderer, r, chunk).contains("\"client\":\"198.51.100.7\""), "from the record's copy");

        // The next connection's record, or a PROXY header that named another client.
        r.client = "203.0.113.9\"";
        assertTrue(render(renderer, r, chunk).contains("\"client\":\"203.0.113.9\\\"\""));
        r.start(0, null);
        assertTrue(render(renderer, r, chunk).contains("\"client\":null"));
        r.start(0, "198.51.100.7");
        assertTrue(render(renderer, r, chunk).contains("\"client\":\"198.51.100.7\""));
    }

    private static String render(AccessLogLine renderer, RequestRecord r, byte[] chunk) {
        return new String(chunk, 0, renderer.render(r, 0, 0, chunk, 0), StandardCharsets.UTF_8);
    }

    @Test
    void aTrustedRequestIdAndAbsentValuesAreWrittenAsTheyAre() {
        RequestRecord r = record();
        r.requestId = "lb-42";
        r.endpoint = null;
        r.upstreamNanos = -1;
        r.path = "\u0001";
        byte[] chunk = new byte[AccessLogLine.MAX_LINE];
        String line = new String(chunk, 0, new AccessLogLine().render(r, 0, 0, chunk, 0), StandardCharsets.UTF_8);
        assertTrue(line.contains("\"request_id\":\"lb-42\""), line);
        assertTrue(line.contains("\"endpoint\":null"), line);
        assertTrue(line.contains("\"upstream_ms\":null"), line);
        assertTrue(line.contains("\"path\":\"\\u0001\""), line);
        assertTrue(line.contains("\"duration_ms\":0.000"), line);
    }

    @Test
    void theLongestStringsStillFitOneLine() {
        RequestRecord r = record();
        String worst = "\u0001".repeat(10_000);
        r.path = worst;
        r.route = worst;
        r.upstream = worst;
        r.endpoint = worst;
        r.client = worst;
        r.method = worst;
        r.requestId = worst;
        byte[] chunk = new byte[AccessLogLine.MAX_LINE];
        int end = new AccessLogLine().render(r, 0, 0, chunk, 0);
        assertTrue(end <= AccessLogLine.MAX_LINE && chunk[end - 1] == '\n');
    }
}
