package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;
import org.switchboard.config.Cidr;
import org.switchboard.config.ClientAddressSpec;

/**
 * Who the client is. A peer outside {@code trustedProxies} is the client, whatever its headers
 * say. A trusted peer's {@code X-Forwarded-For} is walked right to left, skipping trusted
 * addresses (nginx's {@code real_ip_recursive}): the first untrusted address is the client.
 * An entry that is not an address ends the walk at the last hop that could be believed.
 */
public final class ClientAddressResolver {
    private final ClientAddressSpec spec;

    public ClientAddressResolver(ClientAddressSpec spec) {
        this.spec = spec;
    }

    /**
     * @param client       the client's address, normalised (IPv4 dotted, IPv6 RFC 5952)
     * @param forwardedFor the {@code X-Forwarded-For} to send: the client first, then the
     *                     trusted hops, the peer last
     * @param address      the client's address as bytes (4 or 16), for allow-lists and rate limits
     */
    public record Resolved(String client, String forwardedFor, byte[] address) {
    }

    public boolean trusts(byte[] address) {
        return spec.trusts(address);
    }

    /**
     * @param peer         the connection's peer (or the PROXY protocol source), 4 or 16 bytes
     * @param forwardedFor every X-Forwarded-For value of the request, in order, or null/empty
     */
    public Resolved resolve(byte[] peer, List<String> forwardedFor) {
        return resolve(peer, IpText.format(peer), forwardedFor);
    }

    /** As {@link #resolve(byte[], java.util.List)} with the peer's text already at hand (once per connection). */
    public Resolved resolve(byte[] peer, String peerText, List<String> forwardedFor) {
        if (forwardedFor == null || forwardedFor.isEmpty() || !spec.trusts(peer)) {
            return new Resolved(peerText, peerText, peer);
        }
        List<String> entries = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String entry : value.split(",")) {
                entries.add(entry.trim());
            }
        }
        List<String> walked = new ArrayList<>();
        byte[] client = peer;
        for (int i = entries.size() - 1; i >= 0; i--) {
            byte[] address = parseEntry(entries.get(i));
            if (address == null) {
                break;
            }
            client = address;
            walked.add(IpText.format(address));
            if (!spec.trusts(address)) {
                break;
            }
        }
        if (walked.isEmpty()) {
            return new Resolved(peerText, peerText, peer);
        }
        StringBuilder chain = new StringBuilder(walked.get(walked.size() - 1));
        for (int j = walked.size() - 2; j >= 0; j--) {
            chain.append(", ").append(walked.get(j));
        }
        return new Resolved(walked.get(walked.size() - 1), chain.append(", ").append(peerText).toString(), client);
    }

    /** {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code 2001:db8::1}, {@code [2001:db8::1]:443}. */
    static byte[] parseEntry(String entry) {
        String text = entry;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            text = text.substring(1, close);
        } else if (text.indexOf(':') > 0 && text.indexOf(':') == text.lastIndexOf(':') && text.indexOf('.') > 0) {
            text = text.substring(0, text.indexOf(':'));
        }
        return Cidr.IpLiterals.parse(text);
    }
}
