package org.switchboard.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.proxy.logging.RateLimitedLog;

/** The admin listener's connections cannot be held open, and a too large request is answered in JSON. */
class AdminConnectionGuardTest {
    private final AtomicInteger open = new AtomicInteger();
    private final Queue<AdminConnectionGuard> connections = new ConcurrentLinkedQueue<>();
    private final RateLimitedLog log = RateLimitedLog.every10Seconds(System.getLogger(AdminConnectionGuardTest.class.getName()));

    private EmbeddedChannel connection() {
        return new EmbeddedChannel(new AdminConnectionGuard(open, connections, log));
    }

    @Test
    void aConnectionThatNeverBringsARequestIsClosed() {
        EmbeddedChannel channel = connection();
        channel.advanceTimeBy(9_900, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
        assertEquals(0, open.get());
    }

    @Test
    void aRequestBeingAnsweredHasNoDeadlineAndAnIdleKeepAliveHasOneAgain() {
        EmbeddedChannel channel = connection();
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/reload"));
        channel.advanceTimeBy(60, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "a reload may take its time");

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.advanceTimeBy(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen(), "idle after its answer");
    }

    @Test
    void atTheLimitANewConnectionTakesThePlaceOfTheOneThatWaitedLongestForARequest() {
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < AdminConnectionGuard.MAX_CONNECTIONS; i++) {
            channels.add(connection());
        }
        assertTrue(channels.stream().allMatch(EmbeddedChannel::isOpen));
        // The first is being answered (no deadline, not waiting): the second has waited longest.
        channels.get(0).writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics"));

        EmbeddedChannel newcomer = connection();
        assertTrue(newcomer.isOpen());
        assertTrue(channels.get(0).isOpen(), "a request in progress keeps its connection");
        assertFalse(channels.get(1).isOpen(), "the longest silent one gave way");
        assertEquals(AdminConnectionGuard.MAX_CONNECTIONS, open.get());
    }

    @Test
    void whenEveryConnectionHasARequestInProgressANewOneIsRefused() {
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < AdminConnectionGuard.MAX_CONNECTIONS; i++) {
            EmbeddedChannel channel = connection();
            channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/reload"));
            channels.add(channel);
        }
        assertFalse(connection().isOpen());
        assertTrue(channels.stream().allMatch(EmbeddedChannel::isOpen));
        assertEquals(AdminConnectionGuard.MAX_CONNECTIONS, open.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Expect: 100-continue\r\n"})
    void aTooLargeRequestGetsAMatrixError(String expect) {
        String response = adminAnswer("POST /reload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n" + expect + "\r\n");
        assertTrue(response.startsWith("HTTP/1.1 413 "), response);
        assertTrue(response.contains("application/json"), response);
        assertTrue(response.endsWith("{\"errcode\":\"M_TOO_LARGE\",\"error\":\"An admin request has at most 65536 bytes of body\"}"),
                response);
    }

    @Test
    void anUnsupportedExpectationGetsAMatrixError() {
        String response = adminAnswer("POST /reload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nExpect: tea\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 417 "), response);
        assertTrue(response.endsWith("{\"errcode\":\"M_UNKNOWN\",\"error\":\"Only Expect: 100-continue is supported\"}"), response);
    }

    private static String adminAnswer(String head) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new AdminRequestAggregator());
        channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
        ByteBuf out = channel.readOutbound();
        String response = out.toString(StandardCharsets.US_ASCII);
        out.release();
        channel.releaseOutbound();
        return response;
    }
}
