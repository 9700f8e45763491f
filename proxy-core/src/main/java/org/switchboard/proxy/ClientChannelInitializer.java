package org.switchboard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.flow.FlowControlHandler;
import org.switchboard.config.ListenerSpec;
import java.util.Map;
import java.util.function.Supplier;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;

/**
 * The downstream pipeline of a client listener, in order: the clocks between requests, the PROXY
 * protocol header (where enabled), HTTP/1.1 codec, flow control (one message per read request),
 * then the proxy. TLS and HTTP/2 will go in front of the same
 * {@link ProxyHandler}.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 32 * 1024;
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(ClientChannelInitializer.class.getName());

    private final Supplier<ProxySnapshot> snapshots;
    private final Map<io.netty.channel.EventLoop, UpstreamConnectionPool> poolsByEventLoop;
    private final ListenerSpec listener;

    ClientChannelInitializer(Supplier<ProxySnapshot> snapshots,
                             Map<io.netty.channel.EventLoop, UpstreamConnectionPool> poolsByEventLoop,
                             ListenerSpec listener) {
        this.snapshots = snapshots;
        this.poolsByEventLoop = poolsByEventLoop;
        this.listener = listener;
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
        UpstreamConnectionPool pool = poolsByEventLoop.get(ch.eventLoop());
        if (listener.proxyProtocol()) {
            // The PROXY header is a claim about the client: only a trusted proxy may make it.
            byte[] peer = ProxyProtocolHandler.peerOf(ch);
            if (!snapshots.get().spec().clientAddress().trusts(peer)) {
                LOG.log(System.Logger.Level.WARNING, "listener " + listener.name() + " refused a connection from "
                        + org.switchboard.routing.IpText.format(peer) + ": PROXY protocol is accepted from trusted proxies only");
                ch.close();
                return;
            }
            ch.pipeline()
                    .addLast("proxy-protocol-decoder", new HAProxyMessageDecoder())
                    .addLast("proxy-protocol", new ProxyProtocolHandler());
        }
        ClientTimeoutHandler timeouts = new ClientTimeoutHandler(snapshots);
        ch.pipeline().addFirst("timeouts", timeouts);
        ch.pipeline()
                .addLast("http", new HttpServerCodec(decoderConfig))
                .addLast("flow", new FlowControlHandler())
                .addLast("proxy", new ProxyHandler(snapshots, pool, "http", timeouts));
    }
}
