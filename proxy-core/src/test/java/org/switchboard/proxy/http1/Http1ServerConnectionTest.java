package org.switchboard.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.AccessLogSpec;
import org.switchboard.config.ConfigLoader;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.TokenUsers;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.server.Version;
import org.switchboard.proxy.stats.AccessLog;
import org.switchboard.proxy.codec.http1.Http1Scratch;

/**
 * The client connection without a network: what it answers by itself (refusals, no route, its
 * clocks), fed through an EmbeddedChannel split at every byte, with the event loop's time moved
 * by the test instead of waited for. Nothing here reaches an upstream.
 */
class Http1ServerConnectionTest {
    private static final String CONFIG = """
            listeners: [{name: client, address: "127.0.0.1:0"}]
            upstreams:
              main: {endpoints: ["127.0.0.1:9"]}
            routes:
              - path: {prefix: "/_matrix/"}
                upstream: main
            limits: {requestTarget: 1KiB}
            timeouts: {requestHeader: 2s, downstreamIdle: 30s}
            """;
    private static final ProxyMetrics METRICS = new ProxyMetrics();

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final EmbeddedChannel poolLoop = new EmbeddedChannel();

    @AfterEach
    void close() {
        for (EmbeddedChannel channel : channels) {
            channel.finishAndReleaseAll();
        }
        poolLoop.finishAndReleaseAll();
    }

    private EmbeddedChannel connection() throws Exception {
        ProxySnapshot snapshot = ProxySnapshot.compile(1, ConfigLoader.parse(CONFIG, "test"), TokenUsers.NONE);
        UpstreamConnectionPool pool = new UpstreamConnectionPool(poolLoop.eventLoop(),
                new Bootstrap().channel(NioSocketChannel.class), snapshot.spec().upstreamPool(), 1000,
                METRICS.upstreamConnections());
        EmbeddedChannel channel = new EmbeddedChannel(new Http1ServerConnection(() -> snapshot, pool, new Http1Scratch(),
                "http", "client", METRICS, new AccessLog(new AccessLogSpec(false, null, 1.0)),
                () -> false));
        channel.freezeTime();
        channels.add(channel);
        return channel;
    }

    /** Everything the connection wrote, as text; the buffers are released. */
    private static String written(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    private static byte[] bytes(String escaped) {
        return escaped.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET /nowhere HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|HTTP/1.1 404 Not Found|open",
        "GET /nowhere HTTP/1.0\\r\\n\\r\\n|HTTP/1.0 404 Not Found|closed",
        "GET /_matrix/a HTTP/1.1\\nHost: a\\r\\n\\r\\n|HTTP/1.1 400 Bad Request|closed",
        "GET /_matrix/a HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n|HTTP/1.1 505 HTTP Version Not Supported|closed",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n|HTTP/1.1 505 HTTP Version Not Supported|closed",
        "POST /_matrix/a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|HTTP/1.1 501 Not Implemented|closed",
        "POST /_matrix/a HTTP/1.1\\r\\nHost: a\\r\\nExpect: tea\\r\\n\\r\\n|HTTP/1.1 417 Expectation Failed|closed",
        "POST /_matrix/a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\n|HTTP/1.1 400 Bad Request|closed",
    })
    void answersTheSameWhereverTheReadsSplit(String escaped, String statusLine, String connection) throws Exception {
        byte[] request = bytes(escaped);
        for (int split = 1; split <= request.length; split++) {
            EmbeddedChannel channel = connection();
            channel.writeInbound(Unpooled.wrappedBuffer(request, 0, split));
            // Refused as soon as the bytes in are enough to tell: the rest has nowhere to go.
            if (split < request.length && channel.isOpen()) {
                channel.writeInbound(Unpooled.wrappedBuffer(request, split, request.length - split));
            }
            String answer = written(channel);
            assertTrue(answer.startsWith(statusLine + "\r\n"), "split at " + split + ": " + answer);
            assertTrue(answer.contains("\"errcode\":\"M_"), "a Matrix error body: " + answer);
            assertEquals(connection.equals("closed"), answer.contains("\r\nConnection: close\r\n"), "split at " + split);
        }
    }

    @Test
    void pipelinedRequestsAnsweredLocallyAreAnsweredInTurnOnAConnectionThatStays() throws Exception {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("GET /one HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET /two HTTP/1.1\\r\\nHo")));
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("st: a\\r\\n\\r\\n")));
        channel.runPendingTasks();
        String answers = written(channel);
        assertEquals(2, answers.split("HTTP/1.1 404 Not Found", -1).length - 1, answers);
        assertTrue(channel.isActive());
    }

    @Test
    void aRequestWithABodyAnsweredLocallyClosesItsConnection() throws Exception {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("POST /nowhere HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\n\\r\\nhel")));
        String answer = written(channel);
        assertTrue(answer.startsWith("HTTP/1.1 404 Not Found\r\n") && answer.contains("Connection: close"), answer);
    }

    @Test
    void aHeadThatStopsArrivingGets408OnceItsTimeIsUp() throws Exception {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("GET /_matrix/a HTTP/1.1\\r\\nHo")));
        channel.advanceTimeBy(1900, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertEquals("", written(channel), "still within requestHeader");
        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        String answer = written(channel);
        assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
        assertTrue(answer.contains("Connection: close"), answer);
    }

    @Test
    void anIdleConnectionClosesAfterDownstreamIdleNotBefore() throws Exception {
        EmbeddedChannel channel = connection();
        for (int second = 0; second < 29; second++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
        assertTrue(channel.isActive(), "29 s of 30");
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isActive());
        assertEquals("", written(channel), "an idle connection closes without an answer");
    }

    @Test
    void aDrainClosesAnIdleConnectionAtOnce() throws Exception {
        EmbeddedChannel channel = connection();
        channel.pipeline().fireUserEventTriggered(DownstreamConnection.CLOSE_WHEN_IDLE);
        assertFalse(channel.isActive());
        assertEquals("", written(channel), "an idle connection closes without an answer");
    }

    @Test
    void aDrainLetsAHeadBeingReadFinishAndAnswersItWithConnectionClose() throws Exception {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("GET /nowhere HTTP/1.1\\r\\nHo")));
        channel.pipeline().fireUserEventTriggered(DownstreamConnection.CLOSE_WHEN_IDLE);
        assertTrue(channel.isActive(), "a request has begun");
        channel.writeInbound(Unpooled.wrappedBuffer(bytes("st: a\\r\\n\\r\\n")));
        String answer = written(channel);
        assertTrue(answer.startsWith("HTTP/1.1 404 Not Found\r\n") && answer.contains("\r\nConnection: close\r\n"), answer);
    }
}
