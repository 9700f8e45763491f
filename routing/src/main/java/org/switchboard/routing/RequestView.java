package org.switchboard.routing;

/**
 * What routing may see of a request: no Netty types, so decisions are testable without a network
 * and the same view can later be built from an HTTP/2 stream.
 */
public interface RequestView {

    /** The method as sent, e.g. {@code GET}. */
    String method();

    /**
     * The raw path: the request-target up to the query, still percent-encoded and never
     * normalised (Synapse matches the encoded form; federation signatures cover it).
     */
    String path();

    /** The raw query string after {@code ?} (still percent-encoded), or null when there is none. */
    String query();

    /** The Host header's value as sent, or null when absent. */
    String host();

    /** The first value of a header (name case-insensitive), or null when absent. */
    String header(String name);

    /** The client's address as text (an IP literal, IPv6 without brackets). */
    String clientAddress();

    /**
     * The raw path of a request-target: everything before {@code ?} (and before {@code #}, which a
     * well-behaved client never sends). Returns the target itself when it has no query, so the
     * common case allocates nothing.
     */
    static String pathOf(String requestTarget) {
        int end = pathEnd(requestTarget);
        return end == requestTarget.length() ? requestTarget : requestTarget.substring(0, end);
    }

    /** The raw query of a request-target, or null when it has none. */
    static String queryOf(String requestTarget) {
        int end = pathEnd(requestTarget);
        if (end == requestTarget.length() || requestTarget.charAt(end) != '?') {
            return null;
        }
        int fragment = requestTarget.indexOf('#', end);
        return requestTarget.substring(end + 1, fragment < 0 ? requestTarget.length() : fragment);
    }

    private static int pathEnd(String requestTarget) {
        for (int i = 0; i < requestTarget.length(); i++) {
            char c = requestTarget.charAt(i);
            if (c == '?' || c == '#') {
                return i;
            }
        }
        return requestTarget.length();
    }
}
