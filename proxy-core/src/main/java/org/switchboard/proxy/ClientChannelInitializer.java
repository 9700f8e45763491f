package org.switchboard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.flow.FlowControlHandler;
import org.switchboard.config.LimitsSpec;
import io.micrometer.core.instrument.Gauge;
import org.switchboard.config.ListenerSpec;
import org.switchboard.proxy.metrics.ProxyMetrics;
import java.util.Map;
import java.util.function.Supplier;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;

/**
 * The downstream pipeline of a client listener, in order: the clocks between requests, the PROXY
 * protocol header (where enabled), the strict framing guard, HTTP/1.1 codec, flow control (one
 * message per read request), then the proxy. TLS and HTTP/2 will go in front of the same
 * {@link ProxyHandler}.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private static final int REQUEST_LINE_OVERHEAD = 32;
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(ClientChannelInitializer.class.getName());

    private final Supplier<ProxySnapshot> snapshots;
    private final Map<io.netty.channel.EventLoop, UpstreamConnectionPool> poolsByEventLoop;
    private final ListenerSpec listener;
    private final ConnectionLimiter limiter = new ConnectionLimiter();
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    /** One per event loop: heads are parsed synchronously within a read, so a loop's connections share it. */
    private final io.netty.util.concurrent.FastThreadLocal<Http1Scratch> scratch = new io.netty.util.concurrent.FastThreadLocal<>() {
        @Override
        protected Http1Scratch initialValue() {
            return new Http1Scratch();
        }
    };

    ClientChannelInitializer(Supplier<ProxySnapshot> snapshots,
                             Map<io.netty.channel.EventLoop, UpstreamConnectionPool> poolsByEventLoop,
                             ListenerSpec listener, ProxyMetrics metrics, AccessLog accessLog) {
        this.accessLog = accessLog;
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
        byte[] peer = ProxyProtocolHandler.peerOf(ch);
        boolean trustedPeer = snapshot.spec().clientAddress().trusts(peer);
        if (!limiter.admit(ch, org.switchboard.routing.IpText.format(peer), trustedPeer, limits)) {
            metrics.proxyError("connection_limit");
            return;
        }
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                // The request line is the target plus the method and version around it.
                .setMaxInitialLineLength(limits.requestTarget() + REQUEST_LINE_OVERHEAD)
                .setMaxHeaderSize(limits.requestHeaders())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        UpstreamConnectionPool pool = poolsByEventLoop.get(ch.eventLoop());
        if (listener.proxyProtocol()) {
            // The PROXY header is a claim about the client: only a trusted proxy may make it.
            if (!trustedPeer) {
                LOG.log(System.Logger.Level.WARNING, "listener " + listener.name() + " refused a connection from "
                        + org.switchboard.routing.IpText.format(peer) + ": PROXY protocol is accepted from trusted proxies only");
                ch.close();
                return;
            }
            ch.pipeline()
                    .addLast("proxy-protocol-decoder", new HAProxyMessageDecoder())
                    .addLast("proxy-protocol", new ProxyProtocolHandler());
        }
        if (Http1Path.current() == Http1Path.V2) {
            ch.pipeline().addLast("http1", new Http1ServerConnection(snapshots, pool, scratch.get(), "http",
                    listener.name(), metrics, accessLog));
            return;
        }
        ClientTimeoutHandler timeouts = new ClientTimeoutHandler(snapshots, metrics);
        ch.pipeline().addFirst("timeouts", timeouts);
        // Flushes towards the client are made while reading an upstream, outside any read of
        // this channel: consolidating them at the end of the event loop's turn measured -7% CPU
        // per request (benchmarks/RESULTS.md, "Tuning"). Placed first, next to the socket.
        ch.pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ch.pipeline()
                .addLast("framing-guard", new StrictFramingGuard())
                .addLast("http", new HttpServerCodec(decoderConfig))
                .addLast("flow", new FlowControlHandler())
                .addLast("proxy", new ProxyHandler(snapshots, pool, "http", timeouts, listener.name(), metrics, accessLog));
    }
}
