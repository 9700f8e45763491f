package org.switchboard.proxy;

import org.switchboard.proxy.metrics.ProxyMetrics;

/**
 * Everything one request leaves behind, filled by each stage as it learns it (Envoy's
 * StreamInfo) and recorded once: its metrics and its access-log line come from the same fields.
 * One per connection, reused request after request.
 */
final class RequestRecord {
    /** How the request ended, as HAProxy's termination flags say it. */
    enum Termination {
        COMPLETE, LOCAL, CLIENT_ABORTED, UPSTREAM_RESET, UPSTREAM_TIMEOUT, CONNECT_FAILED, INVALID_RESPONSE, TRUNCATED,
        /** A WebSocket tunnel with no byte either way for {@code timeouts.websocketIdle}. */
        IDLE_TIMEOUT;

        /** As the access log writes it. */
        final String text = name().toLowerCase(java.util.Locale.ROOT);

        static Termination of(MatrixErrors error) {
            return switch (error) {
                case UPSTREAM_RESET -> UPSTREAM_RESET;
                case UPSTREAM_TIMEOUT -> UPSTREAM_TIMEOUT;
                case CONNECT_FAILED -> CONNECT_FAILED;
                case INVALID_RESPONSE -> INVALID_RESPONSE;
                default -> LOCAL;
            };
        }
    }

    long startNanos;
    String method = "other";
    String path = "";
    /** Null while the id is this proxy's own, kept as two longs until the log asks for its text. */
    String requestId;
    long requestIdHigh;
    long requestIdLow;
    String client = "";
    String route = "none";
    String upstream = "none";
    String endpoint;
    int status;
    long bytesIn;
    long bytesOut;
    long upstreamNanos = -1;
    Termination termination = Termination.COMPLETE;
    private boolean open;

    void start(long nowNanos, String clientText) {
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
        termination = Termination.COMPLETE;
        open = true;
    }

    /** 128 random bits, written to the upstream as 32 hex digits. */
    void newRequestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        requestIdHigh = random.nextLong();
        requestIdLow = random.nextLong();
        requestId = null;
    }

    /** Records once; a second call for the same request does nothing. */
    void finish(long nowNanos, String listener, ProxyMetrics metrics, AccessLog accessLog,
                io.netty.util.concurrent.EventExecutor loop) {
        if (!open) {
            return;
        }
        open = false;
        long elapsed = nowNanos - startNanos;
        if (status == 101) {
            // A WebSocket tunnel: counted apart, so its minutes do not skew the request timings.
            metrics.tunnelClosed(bytesIn, bytesOut, elapsed);
        } else {
            metrics.request(listener, route, upstream, method, status, elapsed);
            metrics.bytes(bytesIn, bytesOut);
        }
        if (accessLog.enabled()) {
            accessLog.log(this, elapsed, loop);
        }
    }
}
