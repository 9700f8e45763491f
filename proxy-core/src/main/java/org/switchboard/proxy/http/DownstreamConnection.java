package org.switchboard.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GenericFutureListener;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.switchboard.config.Cidr;
import org.switchboard.config.HostPort;
import org.switchboard.proxy.stats.RequestRecord;

/**
 * What every client connection carries, whatever its protocol, set by the listener and read by
 * the codec above it: the peer the proxy sees (the PROXY protocol's source when there is one),
 * the user event a drain sends, and whether the drain's timeout closed it.
 */
public final class DownstreamConnection {
    /** The connection's peer as the proxy should see it: the PROXY source when there is one. */
    private static final AttributeKey<byte[]> PEER = AttributeKey.valueOf("switchboard.peer");

    /**
     * The user event a client connection gets when the listeners close: close now if idle,
     * otherwise after the response in progress.
     */
    public static final Object CLOSE_WHEN_IDLE = new Object() {
        @Override
        public String toString() {
            return "drain: close when idle";
        }
    };

    /**
     * The user event a client connection gets at the drain's timeout, just before it closes: a
     * request still waiting may be answered first (see {@code StreamExchange#answerDrainTimeout}).
     */
    public static final class DrainTimeout {
        private boolean closesItself;

        /**
         * Said by a codec that answered every request on its connection: it closes the
         * connection itself once the answers are written (with its lingering close, so no reset
         * destroys them), within {@link #LAST_WRITES_MILLIS} all the same.
         */
        public void closesItself() {
            closesItself = true;
        }

        @Override
        public String toString() {
            return "drain: timeout";
        }
    }

    /** How long a connection closed at the drain's timeout may take to write its last answers. */
    private static final long LAST_WRITES_MILLIS = 1000;

    /**
     * The user event every client connection gets when the health checker gives up on an
     * upstream address: a request waiting there for its answer may go elsewhere.
     */
    public record EndpointUnhealthy(HostPort address) {
    }

    /**
     * Set on a connection the proxy closes, at a drain's timeout or as it stops: what it still
     * served did not end by the client's doing. The value is the termination its requests get.
     */
    private static final AttributeKey<RequestRecord.Termination> CLOSED_BY_PROXY = AttributeKey.valueOf("switchboard.closedByProxy");

    private DownstreamConnection() {
    }

    /**
     * Closes a connection still open at the drain's timeout, marked so its requests are logged as
     * the proxy's end. Its codec hears {@link DrainTimeout} first and may answer: then it closes
     * the connection itself once that is written, or this does after {@link #LAST_WRITES_MILLIS}
     * for a client that reads nothing. Otherwise the connection closes at once.
     */
    public static void closeForDrain(Channel channel, GenericFutureListener<ChannelFuture> then) {
        channel.attr(CLOSED_BY_PROXY).set(RequestRecord.Termination.DRAIN_TIMEOUT);
        channel.closeFuture().addListener(then);
        try {
            channel.eventLoop().execute(() -> {
                DrainTimeout timeout = new DrainTimeout();
                channel.pipeline().fireUserEventTriggered(timeout);
                if (timeout.closesItself) {
                    channel.eventLoop().schedule(() -> channel.close(), LAST_WRITES_MILLIS, TimeUnit.MILLISECONDS);
                } else {
                    channel.close();
                }
            });
        } catch (RejectedExecutionException loopShuttingDown) {
            channel.close();
        }
    }

    /** Closes a connection as the proxy stops, marked so its requests are logged as the proxy's end. */
    public static ChannelFuture closeForStop(Channel channel) {
        channel.attr(CLOSED_BY_PROXY).setIfAbsent(RequestRecord.Termination.STOPPED);
        return channel.close();
    }

    /** How the proxy ended this connection's requests when it closed it; null if it did not (the client left). */
    public static RequestRecord.Termination closedByProxy(Channel channel) {
        return channel.attr(CLOSED_BY_PROXY).get();
    }

    /**
     * Set on a connection whose PROXY header named no client (v1 {@code UNKNOWN}, v2 {@code LOCAL},
     * {@code AF_UNSPEC} or {@code AF_UNIX}): the peer stays the balancer, but a layer-4 balancer
     * relays the client's bytes without reading them, so it vouches for no forwarding header in them.
     */
    private static final AttributeKey<Boolean> UNVOUCHED = AttributeKey.valueOf("switchboard.unvouched");

    /** The connection's PROXY header named no client: its forwarding headers are the client's own claims. */
    public static void setUnvouched(Channel channel) {
        channel.attr(UNVOUCHED).set(Boolean.TRUE);
    }

    /** Whether the peer vouches for the forwarding headers it sends (when it is a trusted proxy). */
    public static boolean vouchesForHeaders(Channel channel) {
        return !Boolean.TRUE.equals(channel.attr(UNVOUCHED).get());
    }

    /** Records the peer a PROXY protocol header named (4 or 16 bytes). */
    public static void setProxiedPeer(Channel channel, byte[] source) {
        channel.attr(PEER).set(source);
    }

    /** The address the proxy treats as the peer of this connection. */
    public static byte[] peerOf(Channel channel) {
        byte[] fromHeader = channel.attr(PEER).get();
        if (fromHeader != null) {
            return fromHeader;
        }
        if (channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
            return Cidr.IpLiterals.foldMapped(remote.getAddress().getAddress());
        }
        return new byte[4];
    }
}
