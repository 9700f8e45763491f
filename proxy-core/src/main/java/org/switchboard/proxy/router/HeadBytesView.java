package org.switchboard.proxy.router;

import java.nio.charset.StandardCharsets;

/**
 * Routing's view of an HTTP/1 request head kept as its own bytes (already validated by the
 * parser), for routing again after the parse index moved on: a retry on another endpoint. A
 * header is looked up by scanning the lines.
 */
public final class HeadBytesView extends HeadRequestView {
    private final byte[] head;

    /** The view of a request head as written upstream: its request line names the method and target. */
    public static HeadBytesView ofRequest(byte[] head, String clientAddress) {
        int methodEnd = 0;
        while (head[methodEnd] != ' ') {
            methodEnd++;
        }
        int targetEnd = methodEnd + 1;
        while (head[targetEnd] != ' ') {
            targetEnd++;
        }
        return new HeadBytesView(head, new String(head, 0, methodEnd, StandardCharsets.ISO_8859_1),
                new String(head, methodEnd + 1, targetEnd - methodEnd - 1, StandardCharsets.ISO_8859_1), clientAddress);
    }

    HeadBytesView(byte[] head, String method, String target, String clientAddress) {
        super(method, target, clientAddress);
        this.head = head;
    }

    @Override
    public String host() {
        return header("host");
    }

    @Override
    public String header(String name) {
        int line = lineAfter(0);
        while (line < head.length && head[line] != '\r') {
            int colon = line;
            while (head[colon] != ':') {
                colon++;
            }
            int next = lineAfter(colon);
            if (colon - line == name.length() && sameName(head, line, name)) {
                int from = colon + 1;
                int to = next - 2;
                while (from < to && (head[from] == ' ' || head[from] == '\t')) {
                    from++;
                }
                while (to > from && (head[to - 1] == ' ' || head[to - 1] == '\t')) {
                    to--;
                }
                return new String(head, from, to - from, StandardCharsets.ISO_8859_1);
            }
            line = next;
        }
        return null;
    }



    private int lineAfter(int from) {
        int i = from;
        while (head[i] != '\n') {
            i++;
        }
        return i + 1;
    }

}
