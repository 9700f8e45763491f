package org.switchboard.proxy.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeaderName;
import org.switchboard.routing.ClientAddressResolver;

/**
 * Makes the client address Synapse sees true. Synapse believes the leftmost
 * {@code X-Forwarded-For} entry without any check (element-hq/synapse#9471), and its rate limits,
 * IP bans and admin allow-lists hang on it; so from an untrusted peer every forwarding header is
 * dropped, in any spelling, and replaced by what the proxy itself saw.
 */
public final class ForwardingHeaders {
    private static final int MAX_REQUEST_ID = 128;

    private final ClientAddressResolver resolver;

    public ForwardingHeaders(ClientAddressResolver resolver) {
        this.resolver = resolver;
    }

    /** What the upstream request says about the client: the lines {@link org.switchboard.proxy.codec.http1.HeadWriter} writes. */
    public record Decision(boolean trustedPeer, String client, byte[] clientAddress, String forwardedFor, String proto,
                    String requestId) {
    }

    /**
     * What a trusted peer's head says about the client: its X-Forwarded-For chain walked, its
     * X-Forwarded-Proto and X-Request-ID kept when well-formed. (From an untrusted peer, the usual
     * case, nothing of the head is believed and nothing needs deciding.)
     */
    public Decision decide(HeadIndex head, byte[] peer, String peerText, String scheme) {
        List<String> forwardedFor = new ArrayList<>(1);
        String proto = null;
        String requestId = null;
        for (int i = 0; i < head.fieldCount(); i++) {
            byte id = head.id(i);
            if (id == HeaderName.X_FORWARDED_FOR) {
                forwardedFor.add(value(head, i));
            } else if (id == HeaderName.X_FORWARDED_PROTO && proto == null) {
                proto = value(head, i);
            } else if (id == HeaderName.X_REQUEST_ID && requestId == null) {
                requestId = value(head, i);
            }
        }
        ClientAddressResolver.Resolved resolved = resolver.resolve(peer, peerText, forwardedFor);
        return new Decision(true, resolved.client(), resolved.address(), resolved.forwardedFor(),
                "http".equals(proto) || "https".equals(proto) ? proto : scheme,
                isWellFormedRequestId(requestId) ? requestId : newRequestId());
    }

    public boolean trusts(byte[] peer) {
        return resolver.trusts(peer);
    }

    private static String value(HeadIndex head, int field) {
        return new String(head.bytes(), head.valueStart(field), head.valueEnd(field) - head.valueStart(field),
                StandardCharsets.ISO_8859_1);
    }

    public static boolean isWellFormedRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** 128 random bits as 32 hex digits. */
    private static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            id[15 - i] = HEX[(int) (high >>> (4 * i)) & 0xf];
            id[31 - i] = HEX[(int) (low >>> (4 * i)) & 0xf];
        }
        return new String(id);
    }
}
