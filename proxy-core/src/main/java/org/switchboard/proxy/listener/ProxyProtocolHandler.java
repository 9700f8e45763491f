package org.switchboard.proxy.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.switchboard.config.Cidr;
import org.switchboard.proxy.http.DownstreamConnection;

/**
 * Takes the real client from a PROXY protocol (v1 or v2) header, decoded by Netty's
 * {@code HAProxyMessageDecoder} just before this handler, and records it as the connection's
 * peer. The listener only accepts such connections from trusted proxies (checked when the
 * connection opens), since the header is a claim like any other.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    /** Admits the client the header names (its per-client connection count); false: refused and closed. */
    interface ClientAdmission {
        boolean admit(Channel channel, byte[] client);
    }

    private final ClientAdmission admission;
    /** The client was refused: nothing it sent goes further while the connection closes. */
    private boolean refused;

    ProxyProtocolHandler(ClientAdmission admission) {
        this.admission = admission;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (ctx.pipeline().get(ProxyHeaderTimer.NAME) != null) {
            ctx.pipeline().remove(ProxyHeaderTimer.NAME);
        }
        try {
            byte[] source = header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null
                    ? Cidr.IpLiterals.parse(header.sourceAddress()) : null;
            if (source == null) {
                // LOCAL (a balancer's own health check), UNKNOWN, AF_UNSPEC, AF_UNIX: no client
                // named. The peer stays the balancer, which vouches for none of the bytes it relays.
                DownstreamConnection.setUnvouched(ctx.channel());
            } else {
                DownstreamConnection.setProxiedPeer(ctx.channel(), source);
                if (!admission.admit(ctx.channel(), source)) {
                    refused = true;
                    return;
                }
            }
        } finally {
            ReferenceCountUtil.release(header);
        }
        ctx.pipeline().remove(this);
    }
}
