package org.switchboard.proxy.listener;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.switchboard.config.LimitsSpec;
import org.switchboard.routing.CorsHeaders;

/**
 * Open client connections of one listener, in all and per client address, checked when a
 * connection is accepted: before it holds a pipeline, buffers or an upstream connection. A
 * refused connection on a plain listener gets a short HTTP answer and is closed; on a TLS
 * listener it is closed without one, since no handshake has given it a way to read an answer
 * (HTTP written into a TLS connection would be a protocol error to the client, not a 429).
 * Trusted proxies are counted for the listener but exempt from the per-client limit, since one
 * of them carries many clients.
 */
final class ConnectionLimiter {
    /** Told of each connection refused here: it is logged and counted as a refused request. */
    interface Refusals {
        void refused(Channel channel, String client, int status, int responseBytes);
    }

    private static final byte[] LISTENER_FULL = rawResponse("503 Service Unavailable", "M_UNKNOWN",
            "Too many connections to this listener");
    private static final byte[] CLIENT_OVER_LIMIT = rawResponse("429 Too Many Requests", "M_LIMIT_EXCEEDED",
            "Too many connections from this address");

    private final Refusals refusals;
    /** A plain listener: a refusal is answered in HTTP/1.1. */
    private final boolean answers;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionLimiter(Refusals refusals, boolean answers) {
        this.refusals = refusals;
        this.answers = answers;
    }

    /**
     * Counts the connection, or answers and closes it. Returns whether it may go on; when it
     * does, its close must give the count back with {@link #closed()}.
     */
    boolean admit(Channel channel, String client, boolean exemptPerClient, LimitsSpec limits) {
        if (open.incrementAndGet() > limits.connectionsPerListener()) {
            open.decrementAndGet();
            refuse(channel, client, 503, LISTENER_FULL);
            return false;
        }
        if (!exemptPerClient && !admitBehindProxy(channel, client, limits)) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    /** An admitted connection closed. */
    void closed() {
        open.decrementAndGet();
    }

    /**
     * The per-client count of a connection (0 in the config: no limit, nothing counted); also
     * called once a PROXY header named the client behind a trusted balancer (the listener count
     * was taken at accept), so the office behind one NAT address counts as one client and the
     * balancer carrying everyone does not. Answers 429 and closes when over the limit; the
     * connection's close gives the count back.
     */
    boolean admitBehindProxy(Channel channel, String client, LimitsSpec limits) {
        if (limits.connectionsPerClient() == 0) {
            return true;
        }
        // One atomic step per key: a count that fell to zero and left the map meanwhile is not
        // incremented behind its back (computeIfAbsent, then increment, could lose the connection).
        if (perClient.merge(client, 1, Integer::sum) > limits.connectionsPerClient()) {
            releaseClient(client);
            refuse(channel, client, 429, CLIENT_OVER_LIMIT);
            return false;
        }
        channel.closeFuture().addListener(closed -> releaseClient(client));
        return true;
    }

    int open() {
        return open.get();
    }

    private void releaseClient(String client) {
        perClient.computeIfPresent(client, (key, count) -> count <= 1 ? null : count - 1);
    }

    private void refuse(Channel channel, String client, int status, byte[] response) {
        if (!answers) {
            channel.close();
            refusals.refused(channel, client, status, 0);
            return;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener(ChannelFutureListener.CLOSE);
        refusals.refused(channel, client, status, response.length);
    }

    private static byte[] rawResponse(String status, String errcode, String error) {
        String body = "{\"errcode\":\"" + errcode + "\",\"error\":\"" + error + "\"}";
        return ("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nCache-Control: no-store\r\n" + CorsHeaders.HTTP1_LINES + "Connection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }
}
