package org.switchboard.proxy.http;

import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import org.switchboard.routing.IpText;

/**
 * A client connection's peer as the request journey needs it, worked out once per connection at
 * its first request (after any PROXY header): the address (4 or 16 bytes), its text and ASCII
 * bytes (written into X-Forwarded-For), and whether it is a trusted proxy whose forwarding
 * headers are believed.
 */
public record Peer(byte[] address, String text, byte[] ascii, boolean trusted) {

    public static Peer of(Channel channel, ProxySnapshot snapshot) {
        byte[] address = DownstreamConnection.peerOf(channel);
        String text = IpText.format(address);
        boolean trusted = snapshot.forwarding().trusts(address) && DownstreamConnection.vouchesForHeaders(channel);
        return new Peer(address, text, text.getBytes(StandardCharsets.US_ASCII), trusted);
    }
}
