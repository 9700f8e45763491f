package org.switchboard.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds what a route does besides naming an upstream: {@code allow}, {@code rateLimit} and
 * {@code respond}. Part of {@link RouteBinder}: same error collection, same null-on-error rule.
 */
final class RouteActionBinder {
    static final String JSON_EXPECTED = "expected JSON values: maps with string keys, lists, strings, numbers, "
            + "true, false, null";
    private static final String HEADER_NAME_EXPECTED = "expected a header name (letters, digits and !#$%&'*+-.^_`|~)";
    private static final String HEADER_VALUE_EXPECTED = "expected a header value without control characters";
    private static final Set<String> RESERVED_HEADERS =
            Set.of("content-length", "transfer-encoding", "connection", "content-type");
    private static final String TEXT = "text/plain; charset=utf-8";

    private RouteActionBinder() {
    }

    /** {@code allow: ["10.0.0.0/8"]}: null when absent (everyone) or on error. */
    static List<Cidr> allow(Node node) {
        if (node.isAbsent()) {
            return null;
        }
        List<Cidr> allow = node.cidrs();
        if (allow != null && allow.isEmpty()) {
            node.fail("an empty list", "expected at least one address range; omit allow to admit every address");
            return null;
        }
        return allow;
    }

    /** {@code rateLimit: {requests: 10, per: 1s, burst: 20, exempt: [...]}}: null when absent or on error. */
    static RateLimitSpec rateLimit(Node node, Errors errors) {
        if (node.isAbsent()) {
            return null;
        }
        int mark = errors.count();
        if (!node.expectMap("requests", "per", "burst", "exempt")) {
            return null;
        }
        Integer requests = node.field("requests").integer(1, 1_000_000);
        Duration per = node.field("per").duration();
        Integer burst = node.field("burst").integerOr(1, 1_000_000, requests == null ? 1 : requests);
        Node exemptNode = node.field("exempt");
        List<Cidr> exempt = exemptNode.isAbsent() ? List.of() : exemptNode.cidrs();
        if (!errors.noneSince(mark)) {
            return null;
        }
        return new RateLimitSpec(requests, per, burst, exempt);
    }

    /** {@code respond: {status, body | json, contentType, headers}}: null when absent or on error. */
    static RespondSpec respond(Node node, Errors errors) {
        if (node.isAbsent()) {
            return null;
        }
        int mark = errors.count();
        if (!node.expectMap("status", "body", "json", "contentType", "headers")) {
            return null;
        }
        Integer status = node.field("status").integerOr(200, 599, 200);
        Node bodyNode = node.field("body");
        Node jsonNode = node.field("json");
        byte[] body = new byte[0];
        String contentType = TEXT;
        if (!bodyNode.isAbsent() && !jsonNode.isAbsent()) {
            node.fail("both body and json", "expected at most one of: body, json");
        } else if (!jsonNode.isAbsent()) {
            String json = jsonNode.json(JSON_EXPECTED);
            body = json == null ? body : json.getBytes(StandardCharsets.UTF_8);
            contentType = RespondSpec.JSON;
        } else if (!bodyNode.isAbsent()) {
            String text = bodyNode.string("expected the body as text (or json: for a JSON body)");
            body = text == null ? body : text.getBytes(StandardCharsets.UTF_8);
        }
        if (status != null && (status == 204 || status == 205 || status == 304) && body.length > 0) {
            // RFC 9110 15.3.5, 15.3.6 and 15.4.5: these answers have no content; a client would
            // drop it or, for 205, read it as the start of the next response.
            (jsonNode.isAbsent() ? bodyNode : jsonNode).fail("expected no body with status " + status
                    + " (a " + status + " answer has none)");
        }
        Node contentTypeNode = node.field("contentType");
        if (!contentTypeNode.isAbsent()) {
            contentType = headerValue(contentTypeNode);
            if (contentType != null && contentType.isEmpty()) {
                contentTypeNode.fail("expected a media type such as text/html; charset=utf-8");
            }
        }
        Map<String, String> headers = headers(node.field("headers"));
        if (!errors.noneSince(mark)) {
            return null;
        }
        return new RespondSpec(status, contentType, headers, body);
    }

    private static Map<String, String> headers(Node node) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node.isAbsent()) {
            return headers;
        }
        Map<String, Node> entries = node.entries("expected a map of header names to values");
        if (entries == null) {
            return null;
        }
        for (Map.Entry<String, Node> entry : entries.entrySet()) {
            String name = entry.getKey();
            Node value = entry.getValue();
            if (name.isEmpty() || !name.chars().allMatch(RouteActionBinder::isTchar)) {
                value.fail(Node.describe(name), HEADER_NAME_EXPECTED);
            } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                value.fail(Node.describe(name), "expected a header other than Content-Length, Transfer-Encoding, "
                        + "Connection and Content-Type (that one is contentType)");
            } else {
                String text = headerValue(value);
                if (text != null) {
                    headers.put(name, text);
                }
            }
        }
        return headers;
    }

    private static String headerValue(Node node) {
        String text = node.string(HEADER_VALUE_EXPECTED);
        if (text != null && !text.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f && c < 0x100))) {
            node.fail(HEADER_VALUE_EXPECTED);
            return null;
        }
        return text == null ? null : text.strip();
    }

    private static boolean isTchar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
