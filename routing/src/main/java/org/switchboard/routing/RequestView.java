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

    /** The Host header's value as sent, or null when absent. */
    String host();

    /**
     * The raw path of a request-target: everything before {@code ?} (and before {@code #}, which a
     * well-behaved client never sends). Returns the target itself when it has no query, so the
     * common case allocates nothing.
     */
    static String pathOf(String requestTarget) {
        for (int i = 0; i < requestTarget.length(); i++) {
            char c = requestTarget.charAt(i);
            if (c == '?' || c == '#') {
                return requestTarget.substring(0, i);
            }
        }
        return requestTarget;
    }
}
