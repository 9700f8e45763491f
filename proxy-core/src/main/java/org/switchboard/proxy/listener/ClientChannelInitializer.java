package org.switchboard.proxy.listener;

import io.micrometer.core.instrument.Gauge;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.switchboard.config.LimitsSpec;
import org.switchboard.config.ListenerSpec;
import org.switchboard.proxy.codec.http1.Http1Scratch;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.HttpsRedirectGate;
import org.switchboard.proxy.http.MisdirectedRequestGate;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.http.RequestGate;
import org.switchboard.proxy.http1.Http1ServerConnection;
import org.switchboard.proxy.http2.Http2Connection;
import org.switchboard.proxy.stats.AccessLog;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.stats.RequestRecord;
import org.switchboard.proxy.tls.ListenerTls;
import org.switchboard.proxy.tls.SniChoice;
import org.switchboard.proxy.tls.TlsHandshakes;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;
import org.switchboard.routing.IpText;

/**
 * The downstream pipeline of a client listener: admission (connection limits), the PROXY
 * protocol header where enabled, TLS on a TLS listener (SNI picks the certificate, ALPN the
 * protocol), then {@link Http1ServerConnection}, or {@link Http2Connection} when ALPN chooses
 * {@code h2} (or a plain listener with {@code http2: true} sees the h2c preface): either does the
 * rest, through the same request journey.
 */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {

    private static final System.Logger LOG = System.getLogger(ClientChannelInitializer.class.getName());

    private final Supplier<ProxySnapshot> snapshots;
    private final Map<EventLoop, UpstreamConnectionPool> poolsByEventLoop;
    private final ListenerSpec listener;
    private final ConnectionLimiter limiter;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private final Drain drain;
    /**
     * Every admitted connection's one close listener, shared: a listener per connection (and
     * Netty's list of them once there are two) would weigh on every held long poll.
     */
    private final ChannelFutureListener onClose;
    private final BooleanSupplier drainClosing;
    /** Null on a plain listener. */
    private final TlsHandshakes tls;
    /** The redirect of a plain listener with redirectToHttps, shared by its connections; else null. */
    private final RequestGate redirect;
    /** One per event loop: heads are parsed synchronously within a read, so a loop's connections share it. */
    private final FastThreadLocal<Http1Scratch> scratch = new FastThreadLocal<>() {
        @Override
        protected Http1Scratch initialValue() {
            return new Http1Scratch();
        }
    };

    public ClientChannelInitializer(Supplier<ProxySnapshot> snapshots,
                             Map<EventLoop, UpstreamConnectionPool> poolsByEventLoop,
                             ListenerSpec listener, ProxyMetrics metrics, AccessLog accessLog, Drain drain) {
        this(snapshots, poolsByEventLoop, listener, metrics, accessLog, drain, null, null);
    }

    /**
     * @param tls       the listener's certificates, null for a plain listener
     * @param httpsPort where {@code redirectToHttps} sends clients (read per redirect: the TLS
     *                  listener may be bound after this one)
     */
    public ClientChannelInitializer(Supplier<ProxySnapshot> snapshots,
                             Map<EventLoop, UpstreamConnectionPool> poolsByEventLoop,
                             ListenerSpec listener, ProxyMetrics metrics, AccessLog accessLog, Drain drain,
                             ListenerTls tls, IntSupplier httpsPort) {
        this.tls = tls == null ? null : new TlsHandshakes(tls, metrics.registry());
        this.limiter = new ConnectionLimiter(this::refused, tls == null);
        this.redirect = listener.redirectToHttps() && httpsPort != null ? new HttpsRedirectGate(httpsPort) : null;
        this.accessLog = accessLog;
        this.drain = drain;
        this.onClose = closed -> {
            limiter.closed();
            drain.untrack(closed.channel());
        };
        this.drainClosing = drain::closing;
        this.snapshots = snapshots;
        this.poolsByEventLoop = poolsByEventLoop;
        this.listener = listener;
        this.metrics = metrics;
        Gauge.builder("switchboard_downstream_connections", limiter, ConnectionLimiter::open)
                .description("Open client connections").tag("listener", listener.name()).register(metrics.registry());
    }

    @Override
    protected void initChannel(Channel ch) {
        ProxySnapshot snapshot = snapshots.get();
        LimitsSpec limits = snapshot.spec().limits();
        byte[] peer = DownstreamConnection.peerOf(ch);
        boolean trustedPeer = snapshot.spec().clientAddress().trusts(peer);
        // Behind PROXY protocol the client is known only from its header: counted there.
        if (!limiter.admit(ch, IpText.format(peer), trustedPeer || listener.proxyProtocol(), limits)) {
            return;
        }
        drain.track(ch);
        ch.closeFuture().addListener(onClose);
        UpstreamConnectionPool pool = poolsByEventLoop.get(ch.eventLoop());
        if (listener.proxyProtocol()) {
            // The PROXY header is a claim about the client: only a trusted proxy may make it.
            if (!trustedPeer) {
                LOG.log(System.Logger.Level.WARNING, "listener " + listener.name() + " refused a connection from "
                        + IpText.format(peer) + ": PROXY protocol is accepted from trusted proxies only");
                ch.close();
                return;
            }
            ch.pipeline()
                    .addLast(ProxyHeaderTimer.NAME, new ProxyHeaderTimer(() -> snapshots.get().timeouts().requestHeader(),
                            () -> metrics.proxyError("request_timeout")))
                    .addLast("proxy-protocol-decoder", new HAProxyMessageDecoder())
                    .addLast("proxy-protocol", new ProxyProtocolHandler((channel, client) -> {
                        return snapshots.get().spec().clientAddress().trusts(client)
                                || limiter.admitBehindProxy(channel, IpText.format(client),
                                        snapshots.get().spec().limits());
                    }));
        }
        if (tls == null) {
            if (listener.http2()) {
                // h2c by prior knowledge beside HTTP/1.1: the first bytes tell which.
                ch.pipeline().addLast("prior-knowledge", new PriorKnowledge(
                        ctx -> Http2Connection.install(ctx.pipeline(), snapshots, pool, scratch.get(), "http", listener.name(),
                                metrics, accessLog, redirect),
                        ctx -> ctx.pipeline().addLast("http1", plainHttp1(pool)),
                        () -> snapshots.get().timeouts()));
            } else {
                ch.pipeline().addLast("http1", plainHttp1(pool));
            }
            return;
        }
        SniChoice choice = new SniChoice();
        tls.addHandlers(ch.pipeline(), choice, (ctx, protocol) -> installProtocol(ctx, protocol, pool, choice));
    }

    /**
     * A connection refused at accept by a connection limit: one access-log line and one count in
     * {@code requests_total} (route none), as every other request the proxy refuses gets.
     */
    private void refused(Channel channel, String client, int status, int responseBytes) {
        metrics.proxyError("connection_limit", status == 429 ? "limits.connectionsPerClient" : "limits.connectionsPerListener");
        RequestRecord record = new RequestRecord();
        long now = System.nanoTime();
        record.start(now, client);
        record.status = status;
        record.bytesOut = responseBytes;
        record.termination = RequestRecord.Termination.LOCAL;
        record.finish(now, listener.name(), metrics, accessLog, channel.eventLoop());
    }

    private Http1ServerConnection plainHttp1(UpstreamConnectionPool pool) {
        return new Http1ServerConnection(snapshots, pool, scratch.get(), "http", listener.name(), metrics, accessLog,
                drainClosing, redirect);
    }

    /** The one place a negotiated protocol gets its pipeline. */
    private boolean installProtocol(ChannelHandlerContext ctx, String protocol, UpstreamConnectionPool pool, SniChoice choice) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol) && listener.http2()) {
            Http2Connection.install(ctx.pipeline(), snapshots, pool, scratch.get(), "https", listener.name(), metrics,
                    accessLog, new MisdirectedRequestGate(choice));
            return true;
        }
        if (!ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            return false;
        }
        ctx.pipeline().addLast("http1", new Http1ServerConnection(snapshots, pool, scratch.get(), "https",
                listener.name(), metrics, accessLog, drainClosing, new MisdirectedRequestGate(choice)));
        return true;
    }
}
