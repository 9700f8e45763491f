package org.switchboard.proxy.router;

/**
 * Client-server API paths that end in a client transaction id, which makes a PUT to them
 * idempotent: {@code /rooms/{room}/send/{type}/{txn}}, {@code /rooms/{room}/redact/{event}/{txn}},
 * {@code /sendToDevice/{type}/{txn}}.
 */
final class TransactionPaths {
    private static final String CLIENT = "/_matrix/client/";

    private TransactionPaths() {
    }

    static boolean hasTransactionId(String path) {
        if (!path.startsWith(CLIENT)) {
            return false;
        }
        return endsWithTwoSegmentsAfter(path, "/send/") || endsWithTwoSegmentsAfter(path, "/redact/")
                || endsWithTwoSegmentsAfter(path, "/sendToDevice/");
    }

    /** {@code marker} followed by exactly two non-empty segments and nothing else. */
    private static boolean endsWithTwoSegmentsAfter(String path, String marker) {
        int at = path.indexOf(marker);
        if (at < 0) {
            return false;
        }
        int first = at + marker.length();
        int slash = path.indexOf('/', first);
        return slash > first && slash < path.length() - 1 && path.indexOf('/', slash + 1) < 0;
    }
}
