package org.switchboard.proxy.http1;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.switchboard.routing.ClientAddressResolver;
import org.switchboard.proxy.http.ForwardingHeaders;

/**
 * The forwarding-header rewrite of the former codec path, on Netty's decoded headers: kept as
 * part of the oracle the byte path is compared with (Http1RequestDifferentialTest).
 */
final class LegacyForwardingHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    /** Names (lower case, '-' for '_') of headers that claim something about the client. */
    private static final List<String> FORWARDING = List.of("x-forwarded-for", "x-real-ip", "forwarded",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "x-request-id");
    /** What a trusted proxy may tell us beyond the address chain. */
    private static final List<String> KEPT_FROM_TRUSTED = List.of("forwarded", "x-forwarded-host",
            "x-forwarded-port", "x-forwarded-prefix");

    private final ClientAddressResolver resolver;

    LegacyForwardingHeaders(ClientAddressResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * Rewrites the forwarding headers of a request from {@code peer} arriving on a listener of
     * {@code scheme}, and returns the client's address.
     */
    String apply(HttpHeaders headers, byte[] peer, String peerText, String scheme) {
        boolean trusted = resolver.trusts(peer);
        List<String> forwardedFor = trusted ? headers.getAll(X_FORWARDED_FOR) : null;
        String proto = trusted ? headers.get(X_FORWARDED_PROTO) : null;
        String requestId = trusted ? headers.get(X_REQUEST_ID) : null;
        removeClaims(headers, trusted);

        ClientAddressResolver.Resolved resolved = resolver.resolve(peer, peerText, forwardedFor);
        headers.set(X_FORWARDED_FOR, resolved.forwardedFor());
        // Synapse assumes https when X-Forwarded-For comes without X-Forwarded-Proto.
        headers.set(X_FORWARDED_PROTO, "http".equals(proto) || "https".equals(proto) ? proto : scheme);
        if (!ForwardingHeaders.isWellFormedRequestId(requestId)) {
            requestId = Long.toHexString(ThreadLocalRandom.current().nextLong());
        }
        headers.set(X_REQUEST_ID, requestId);
        return resolved.client();
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

}
