package org.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeadWriter;
import org.switchboard.proxy.stats.RequestRecord;

/**
 * The request head as the upstream gets it, whatever protocol the client spoke: the client's own
 * head bytes with the forwarding headers set, hop-by-hop headers gone, a route's stripped prefix
 * cut, and a Host for an HTTP/1.0 request that had none.
 */
public final class UpstreamHead {
    /** As long as the request id the proxy writes (32 hex digits). */
    private static final String REQUEST_ID_TEMPLATE = "0123456789abcdef0123456789abcdef";

    private UpstreamHead() {
    }

    /**
     * @param forwarding what a trusted peer's forwarding headers said, null for an untrusted peer
     *                   (the usual case: the peer is the client, the record holds the request id)
     * @param webSocket  the handshake's Upgrade and Connection headers go along
     */
    public static ByteBuf write(ByteBufAllocator alloc, HeadIndex index, ForwardingHeaders.Decision forwarding,
                                String peerText, byte[] peerAscii, byte[] schemeAscii, RequestRecord record,
                                RequestJourney.Decision decision, String path, boolean webSocket) {
        int strip = stripLength(decision, path);
        String host = hostIfMissing(index, decision);
        int upgrade = webSocket ? HeadWriter.webSocketUpgradeLength() : 0;
        ByteBuf head;
        if (forwarding == null) {
            head = alloc.directBuffer(HeadWriter.requestCapacity(index, peerText, REQUEST_ID_TEMPLATE) + upgrade);
            HeadWriter.writeRequest(index, false, peerAscii, schemeAscii, record.requestIdHigh, record.requestIdLow,
                    host, strip, head);
        } else {
            head = alloc.directBuffer(HeadWriter.requestCapacity(index, forwarding.forwardedFor(),
                    forwarding.requestId()) + upgrade);
            HeadWriter.writeRequest(index, true, forwarding.forwardedFor(), forwarding.proto(), forwarding.requestId(),
                    host, strip, head);
        }
        if (webSocket) {
            HeadWriter.restoreWebSocketUpgrade(head);
        }
        return head;
    }

    /** How many characters of the path the upstream does not see (a route's stripPrefix), else 0. */
    private static int stripLength(RequestJourney.Decision decision, String path) {
        String prefix = decision.route().actions().stripPrefix();
        return prefix != null && path.startsWith(prefix) ? prefix.length() : 0;
    }

    /** The endpoint's address for the Host an HTTP/1.0 request without one gets upstream; null when it has one. */
    private static String hostIfMissing(HeadIndex index, RequestJourney.Decision decision) {
        return index.host() >= 0 ? null : decision.endpoint().address().toString();
    }
}
