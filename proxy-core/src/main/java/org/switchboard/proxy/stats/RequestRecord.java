package org.switchboard.proxy.stats;

import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything one request leaves behind, filled by each stage as it learns it (Envoy's
 * StreamInfo) and recorded once: its metrics and its access-log line come from the same fields.
 * One per connection, reused request after request.
 */
public final class RequestRecord {
    /** How the request ended, as HAProxy's termination flags say it. */
    public enum Termination {
        COMPLETE, LOCAL, CLIENT_ABORTED, UPSTREAM_RESET, UPSTREAM_TIMEOUT, CONNECT_FAILED, INVALID_RESPONSE, TRUNCATED,
        /** A WebSocket tunnel with no byte either way for {@code timeouts.websocketIdle}. */
        IDLE_TIMEOUT,
        /** Still running when a drain's timeout closed its connection: ended by the proxy, not the client. */
        DRAIN_TIMEOUT,
        /** A WebSocket tunnel whose client a drain sent a Close 1001 (Going Away) as the listeners closed. */
        DRAINED,
        /** Still running when the proxy stopped without a drain (SIGINT, or a stop during one). */
        STOPPED,
        /** The client took no response bytes for {@code timeouts.downstreamIdle}: cut off. */
        CLIENT_TIMEOUT,
        /** The client broke HTTP/2's rules on the stream (a forbidden field, data past its window or end): reset by the proxy. */
        PROTOCOL_ERROR;

        /** As the access log writes it. */
        final String text = name().toLowerCase(Locale.ROOT);

    }

    /** The client's protocol, as the access log and metrics name it. */
    public enum Protocol {
        H1, H2;

        final byte[] ascii = name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    long startNanos;
    /** Set by the codec that owns the record; kept from request to request. */
    public Protocol protocol = Protocol.H1;
    public String method = "other";
    public String path = "";
    /** Null while the id is this proxy's own, kept as two longs until the log asks for its text. */
    public String requestId;
    public long requestIdHigh;
    public long requestIdLow;
    public String client = "";
    /** The access log's JSON form of {@link #client}, and the String it was made from. */
    byte[] quotedClient;
    String quotedClientOf;
    public String route = "none";
    public String upstream = "none";
    public String endpoint;
    public int status;
    public long bytesIn;
    public long bytesOut;
    public long upstreamNanos = -1;
    /** Times the request was tried again (on another endpoint, or on a new connection to the same one). */
    public int retries;
    public Termination termination = Termination.COMPLETE;
    private boolean open;

    public void start(long nowNanos, String clientText) {
        startNanos = nowNanos;
        method = "other";
        path = "";
        requestId = "";
        requestIdHigh = 0;
        requestIdLow = 0;
        client = clientText;
        route = "none";
        upstream = "none";
        endpoint = null;
        status = 0;
        bytesIn = 0;
        bytesOut = 0;
        upstreamNanos = -1;
        retries = 0;
        termination = Termination.COMPLETE;
        open = true;
    }

    /**
     * The request's connection closed under it: by the client (499, nginx's "client closed
     * request", unless a status went out already), or by the proxy at a drain's timeout or as it
     * stopped ({@code byProxy} says which: a 503 never sent), or for the client's protocol error (400).
     */
    public void cutOff(Termination byProxy) {
        if (status == 0) {
            status = byProxy == null ? 499 : byProxy == Termination.PROTOCOL_ERROR ? 400 : 503;
        }
        termination = byProxy == null ? Termination.CLIENT_ABORTED : byProxy;
    }

    /** 128 random bits, written to the upstream as 32 hex digits. */
    public void newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        requestIdHigh = random.nextLong();
        requestIdLow = random.nextLong();
        requestId = null;
    }

    /** Records once; a second call for the same request does nothing. */
    public void finish(long nowNanos, String listener, ProxyMetrics metrics, AccessLog accessLog,
                EventExecutor loop) {
        if (!open) {
            return;
        }
        open = false;
        long elapsed = nowNanos - startNanos;
        if (status == 101) {
            // A WebSocket tunnel: counted apart, so its minutes do not skew the request timings.
            metrics.tunnelClosed(elapsed);
        } else {
            metrics.request(listener, route, upstream, method, status, elapsed);
            metrics.bytes(bytesIn, bytesOut);
        }
        if (accessLog.enabled()) {
            accessLog.log(this, elapsed, loop);
        }
    }
}
