package org.switchboard.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.switchboard.routing.ClientAddressResolver;

/**
 * Makes the client address Synapse sees true. Synapse believes the leftmost
 * {@code X-Forwarded-For} entry without any check (element-hq/synapse#9471), and its rate limits,
 * IP bans and admin allow-lists hang on it; so from an untrusted peer every forwarding header is
 * dropped, in any spelling, and replaced by what the proxy itself saw.
 */
final class ForwardingHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final int MAX_REQUEST_ID = 128;

    /** Names (lower case, '-' for '_') of headers that claim something about the client. */
    private static final List<String> FORWARDING = List.of("x-forwarded-for", "x-real-ip", "forwarded",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "x-request-id");
    /** What a trusted proxy may tell us beyond the address chain. */
    private static final List<String> KEPT_FROM_TRUSTED = List.of("forwarded", "x-forwarded-host",
            "x-forwarded-port", "x-forwarded-prefix");

    private final ClientAddressResolver resolver;

    ForwardingHeaders(ClientAddressResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * Rewrites the forwarding headers of a request from {@code peer} arriving on a listener of
     * {@code scheme}, and returns the client's address and request id.
     */
    Forwarded apply(HttpHeaders headers, byte[] peer, String peerText, String scheme) {
        boolean trusted = resolver.trusts(peer);
        List<String> forwardedFor = trusted ? headers.getAll(X_FORWARDED_FOR) : null;
        String proto = trusted ? headers.get(X_FORWARDED_PROTO) : null;
        String requestId = trusted ? headers.get(X_REQUEST_ID) : null;
        removeClaims(headers, trusted);

        ClientAddressResolver.Resolved resolved = resolver.resolve(peer, peerText, forwardedFor);
        headers.set(X_FORWARDED_FOR, resolved.forwardedFor());
        // Synapse assumes https when X-Forwarded-For comes without X-Forwarded-Proto.
        headers.set(X_FORWARDED_PROTO, "http".equals(proto) || "https".equals(proto) ? proto : scheme);
        if (!isWellFormedRequestId(requestId)) {
            requestId = newRequestId();
        }
        headers.set(X_REQUEST_ID, requestId);
        return new Forwarded(resolved.client(), requestId);
    }

    record Forwarded(String client, String requestId) {
    }

    /** What the upstream request says about the client: the lines {@link org.switchboard.proxy.codec.http1.HeadWriter} writes. */
    record Decision(boolean trustedPeer, String client, String forwardedFor, String proto, String requestId) {
    }

    /**
     * The same rules as {@link #apply} for an indexed HTTP/1 head: an untrusted peer (the usual
     * case) costs one random request id and nothing else.
     */
    Decision decide(org.switchboard.proxy.codec.http1.HeadIndex head, boolean trusted, byte[] peer, String peerText,
                    String scheme) {
        if (!trusted) {
            return new Decision(false, peerText, peerText, scheme, newRequestId());
        }
        List<String> forwardedFor = new ArrayList<>(1);
        String proto = null;
        String requestId = null;
        for (int i = 0; i < head.fieldCount(); i++) {
            byte id = head.id(i);
            if (id == org.switchboard.proxy.codec.http1.HeaderName.X_FORWARDED_FOR) {
                forwardedFor.add(value(head, i));
            } else if (id == org.switchboard.proxy.codec.http1.HeaderName.X_FORWARDED_PROTO && proto == null) {
                proto = value(head, i);
            } else if (id == org.switchboard.proxy.codec.http1.HeaderName.X_REQUEST_ID && requestId == null) {
                requestId = value(head, i);
            }
        }
        ClientAddressResolver.Resolved resolved = resolver.resolve(peer, peerText, forwardedFor);
        return new Decision(true, resolved.client(), resolved.forwardedFor(),
                "http".equals(proto) || "https".equals(proto) ? proto : scheme,
                isWellFormedRequestId(requestId) ? requestId : newRequestId());
    }

    boolean trusts(byte[] peer) {
        return resolver.trusts(peer);
    }

    private static String value(org.switchboard.proxy.codec.http1.HeadIndex head, int field) {
        return new String(head.bytes(), head.valueStart(field), head.valueEnd(field) - head.valueStart(field),
                java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Drops every forwarding claim (a trusted peer keeps its host/port/prefix/Forwarded). */
    private static void removeClaims(HttpHeaders headers, boolean trusted) {
        List<String> doomed = null;
        for (var iterator = headers.iteratorCharSequence(); iterator.hasNext(); ) {
            CharSequence name = iterator.next().getKey();
            if (!mayBeForwarding(name)) {
                continue;
            }
            String canonical = name.toString().toLowerCase(Locale.ROOT);
            boolean underscored = canonical.indexOf('_') >= 0;
            String normalised = underscored ? canonical.replace('_', '-') : canonical;
            if (FORWARDING.contains(normalised) && (underscored || !trusted || !KEPT_FROM_TRUSTED.contains(normalised))) {
                if (doomed == null) {
                    doomed = new ArrayList<>(2);
                }
                doomed.add(name.toString());
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    /** A cheap first look: every forwarding header starts with x or f. */
    private static boolean mayBeForwarding(CharSequence name) {
        char first = name.length() == 0 ? ' ' : name.charAt(0);
        return first == 'x' || first == 'X' || first == 'f' || first == 'F';
    }

    static boolean isWellFormedRequestId(String id) {
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
