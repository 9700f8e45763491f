package org.switchboard.proxy.http;

import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.router.MatrixErrors;

/**
 * What a listener answers itself before a request is routed: a request on a TLS connection whose
 * Host another certificate serves (421), a request to a plain listener that redirects to HTTPS
 * (308). Per connection; called on its event loop once per request head.
 */
public interface RequestGate {
    /** Null to route the request; otherwise what to answer instead. */
    Answer check(HeadIndex head);

    /** Either a refusal in the Matrix shape or a redirect to {@code location}. */
    record Answer(MatrixErrors refusal, String location) {
        static Answer refuse(MatrixErrors refusal) {
            return new Answer(refusal, null);
        }

        static Answer redirect(String location) {
            return new Answer(null, location);
        }
    }

    /** The Host header's host, lower case, without port or trailing dot; null when absent or not a plain host. */
    static String host(HeadIndex head) {
        int field = head.host();
        if (field < 0) {
            return null;
        }
        byte[] b = head.bytes();
        int start = head.valueStart(field);
        int end = head.valueEnd(field);
        if (start < end && b[start] == '[') {
            int close = start;
            while (close < end && b[close] != ']') {
                close++;
            }
            end = close < end ? close + 1 : -1;
        } else {
            for (int i = start; i < end; i++) {
                if (b[i] == ':') {
                    end = i;
                    break;
                }
            }
        }
        if (end > start && b[end - 1] == '.') {
            end--;
        }
        if (end <= start) {
            return null;
        }
        char[] host = new char[end - start];
        for (int i = start; i < end; i++) {
            int c = b[i] & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '[' || c == ']' || c == ':' || c == '_';
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            } else if (!plain) {
                return null;
            }
            host[i - start] = (char) c;
        }
        return new String(host);
    }
}
