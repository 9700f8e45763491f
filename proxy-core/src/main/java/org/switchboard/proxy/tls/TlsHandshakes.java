package org.switchboard.proxy.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AsyncMapping;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * The front of a TLS listener's pipeline, per connection: a {@link ClientRecords} watch that tells
 * how a failed handshake failed, an {@link SniHandler} that picks the
 * certificate from the listener's current {@link CertificateSet} (and becomes the
 * {@code SslHandler}), then a handler that waits for the handshake and installs the pipeline of
 * the protocol ALPN chose. A failed handshake closes the connection quietly: counted by kind, and
 * at most one debug line per listener every ten seconds (scanners and broken clients are many).
 */
public final class TlsHandshakes {
    /** Netty's default ClientHello bound, set explicitly (GHSA-x4gw-5cx5-pgmh). */
    static final int MAX_CLIENT_HELLO_BYTES = 64 * 1024;
    static final long HANDSHAKE_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(10);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final System.Logger LOG = System.getLogger(TlsHandshakes.class.getName());

    /** Why handshakes fail, as the {@code kind} tag of {@code switchboard_tls_handshake_failures}. */
    public enum FailureKind {
        /** Plain HTTP (or anything but TLS) sent to a TLS listener. */
        NOT_TLS,
        TIMEOUT,
        /** The client closed or reset before the handshake finished. */
        CLOSED,
        /** The client refused our certificate (unknown CA, name mismatch). */
        CERTIFICATE,
        /** No protocol version or cipher suite in common. */
        PROTOCOL,
        OTHER;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** Installs the handlers of the protocol ALPN chose ({@code http/1.1} when the client offered none). */
    public interface ProtocolPipelines {
        /** False when there is no pipeline for {@code protocol}; the connection is then closed. */
        boolean install(ChannelHandlerContext ctx, String protocol);
    }

    private final String listener;
    private final ListenerTls tls;
    private final Map<FailureKind, Counter> failures = new EnumMap<>(FailureKind.class);
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong unlogged = new AtomicLong();

    public TlsHandshakes(ListenerTls tls, MeterRegistry registry) {
        this.listener = tls.listener();
        this.tls = tls;
        for (FailureKind kind : FailureKind.values()) {
            failures.put(kind, Counter.builder("switchboard_tls_handshake_failures")
                    .description("TLS handshakes that failed, by kind").tags("listener", listener, "kind", kind.tag)
                    .register(registry));
        }
    }

    /**
     * Adds a new connection's TLS handlers: a watch on the client's records while the handshake
     * lasts, the SNI handler ({@code choice} learns what it picked), and the handler that installs
     * the negotiated protocol's pipeline.
     */
    public void addHandlers(ChannelPipeline pipeline, SniChoice choice, ProtocolPipelines pipelines) {
        Negotiation negotiation = new Negotiation(pipelines);
        pipeline.addLast("tls-watch", negotiation.watch)
                .addLast("sni", sniHandler(choice))
                .addLast("alpn", negotiation);
    }

    private ChannelHandler sniHandler(SniChoice choice) {
        AsyncMapping<String, SslContext> mapping = (hostname, promise) -> {
            CertificateSet set = tls.current();
            // A fully qualified name's trailing dot (RFC 6066 forbids it, some clients send it) as Host's is treated.
            if (hostname != null && hostname.endsWith(".")) {
                hostname = hostname.substring(0, hostname.length() - 1);
            }
            int index = set.select(hostname);
            choice.chose(set, index, hostname != null);
            return promise.setSuccess(set.get(index).context());
        };
        return new SniHandler(mapping, MAX_CLIENT_HELLO_BYTES, HANDSHAKE_TIMEOUT_MILLIS);
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause, int alert) {
        FailureKind kind = alert == ClientRecords.NO_ALERT ? kindOf(cause) : kindOf(alert, cause);
        failures.get(kind).increment();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_EVERY_NANOS)) {
            long suppressed = unlogged.getAndSet(0);
            LOG.log(System.Logger.Level.DEBUG, () -> "listener " + listener + ": TLS handshake from " + ctx.channel().remoteAddress()
                    + " failed (" + kind.tag + "): " + cause + (suppressed > 0 ? "; " + suppressed + " more not logged" : ""));
        } else {
            unlogged.incrementAndGet();
        }
        ctx.close();
    }

    /**
     * The kind of a failure after the client sent a plaintext alert (RFC 8446 6, RFC 5246 7.2): an
     * OpenSSL client that refuses our certificate in TLS 1.3 sends it before it has keys, which
     * BoringSSL then reports as a malformed record (BAD_PACKET_LENGTH), not as the alert.
     */
    static FailureKind kindOf(int alert, Throwable cause) {
        return switch (alert) {
            // close_notify, user_canceled
            case 0, 90 -> FailureKind.CLOSED;
            // bad_certificate to certificate_unknown, unknown_ca, access_denied, certificate_required
            case 42, 43, 44, 45, 46, 48, 49, 116 -> FailureKind.CERTIFICATE;
            // handshake_failure, protocol_version, insufficient_security, inappropriate_fallback,
            // no_application_protocol
            case 40, 70, 71, 86, 120 -> FailureKind.PROTOCOL;
            default -> kindOf(cause);
        };
    }

    static FailureKind kindOf(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return FailureKind.NOT_TLS;
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return FailureKind.TIMEOUT;
            }
            if (t instanceof ClosedChannelException) {
                return FailureKind.CLOSED;
            }
        }
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String message = String.valueOf(root.getMessage()).toUpperCase(Locale.ROOT);
        if (message.contains("CERTIFICATE") || message.contains("UNKNOWN_CA") || message.contains("BAD_CERT")) {
            return FailureKind.CERTIFICATE;
        }
        if (message.contains("PROTOCOL") || message.contains("CIPHER") || message.contains("VERSION")) {
            return FailureKind.PROTOCOL;
        }
        if (message.contains("CLOSED") || message.contains("RESET") || root instanceof IOException
                && !(root instanceof SSLException)) {
            return FailureKind.CLOSED;
        }
        return FailureKind.OTHER;
    }

    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
        private final ProtocolPipelines pipelines;
        private final ClientRecords watch = new ClientRecords();
        private boolean failed;

        Negotiation(ProtocolPipelines pipelines) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.pipelines = pipelines;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            // Client connections start with reading off; the handshake needs it on.
            ctx.channel().config().setAutoRead(true);
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            // The handshake timeouts (the SNI handler's before a whole ClientHello, the TLS handler's
            // after it) are reported only this way; other failures come to exceptionCaught too.
            if (evt instanceof SslCompletionEvent completion && !completion.isSuccess()) {
                fail(ctx, completion.cause());
            } else if (evt instanceof ChannelInputShutdownEvent) {
                // Client connections allow half-closure; no handshake can finish without the client.
                fail(ctx, new ClosedChannelException());
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ctx.pipeline().context(watch) != null) {
                ctx.pipeline().remove(watch);
            }
            if (!pipelines.install(ctx, protocol)) {
                ctx.close();
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            // Closed before the handshake finished (counted once the client had sent something).
            fail(ctx, new ClosedChannelException());
            super.channelInactive(ctx);
        }

        /** Counted by kind once the client sent something, or when it timed out; a port probe is only closed. */
        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (failed) {
                return;
            }
            failed = true;
            if (watch.sawBytes() || kindOf(cause) == FailureKind.TIMEOUT) {
                failed(ctx, cause, watch.alert());
            } else {
                ctx.close();
            }
        }
    }
}
