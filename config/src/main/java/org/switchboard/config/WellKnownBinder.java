package org.switchboard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Binds {@code wellKnown}: the Matrix well-known documents, checked for what clients and servers
 * need of them (the client document's {@code m.homeserver.base_url}, the server document's
 * {@code m.server}, the support document's contacts) and written as JSON once.
 */
final class WellKnownBinder {
    static final String HTTPS_URL_EXPECTED = "expected an https URL such as https://matrix.example.com";
    static final String SERVER_EXPECTED = "expected host or host:port such as matrix.example.com:443";
    static final String HOST_EXPECTED = "expected a host name such as example.com";

    private WellKnownBinder() {
    }

    static WellKnownSpec wellKnown(Node node, Errors errors) {
        if (node.isAbsent()) {
            return null;
        }
        int mark = errors.count();
        if (!node.expectMap("hosts", "client", "server", "support")) {
            return null;
        }
        List<String> hosts = hosts(node.field("hosts"));
        Node clientNode = node.field("client");
        Node serverNode = node.field("server");
        Node supportNode = node.field("support");
        if (clientNode.isAbsent() && serverNode.isAbsent() && supportNode.isAbsent()) {
            node.fail("no document", "expected at least one of: client, server, support");
        }
        String client = clientNode.isAbsent() ? null : client(clientNode);
        String server = serverNode.isAbsent() ? null : server(serverNode);
        String support = supportNode.isAbsent() ? null : support(supportNode);
        return errors.noneSince(mark) ? new WellKnownSpec(hosts, client, server, support) : null;
    }

    private static List<String> hosts(Node node) {
        if (node.isAbsent()) {
            return List.of();
        }
        List<Node> items = node.list("expected a list of host names");
        if (items == null) {
            return null;
        }
        List<String> hosts = new ArrayList<>();
        for (Node item : items) {
            String host = item.string(HOST_EXPECTED);
            if (host != null && !isHost(host)) {
                item.fail(HOST_EXPECTED);
            } else if (host != null) {
                hosts.add(host.toLowerCase(Locale.ROOT));
            }
        }
        return hosts;
    }

    /** {@code {"m.homeserver": {base_url: https://...}, ...}}: the spec's only required key, checked. */
    private static String client(Node node) {
        if (!node.isMap()) {
            node.fail("expected a map such as {\"m.homeserver\": {base_url: \"https://matrix.example.com\"}}");
            return null;
        }
        Node homeserver = node.field("m.homeserver");
        if (homeserver.expectMap("base_url")) {
            httpsUrl(homeserver.field("base_url"));
        }
        Node identity = node.field("m.identity_server");
        if (!identity.isAbsent() && identity.expectMap("base_url")) {
            httpsUrl(identity.field("base_url"));
        }
        return node.json(RouteActionBinder.JSON_EXPECTED);
    }

    private static String server(Node node) {
        if (!node.expectMap("m.server")) {
            return null;
        }
        Node server = node.field("m.server");
        String text = server.string(SERVER_EXPECTED);
        if (text != null && !isServer(text)) {
            server.fail(SERVER_EXPECTED);
        }
        return node.json(RouteActionBinder.JSON_EXPECTED);
    }

    /** MSC1929: at least one of contacts and support_page; each contact a role and a way to reach it. */
    private static String support(Node node) {
        if (!node.expectMap("contacts", "support_page")) {
            return null;
        }
        Node contacts = node.field("contacts");
        Node page = node.field("support_page");
        if (contacts.isAbsent() && page.isAbsent()) {
            node.fail("neither contacts nor support_page", "expected at least one of: contacts, support_page");
        }
        if (!page.isAbsent()) {
            httpsUrl(page);
        }
        List<Node> items = contacts.isAbsent() ? List.of() : contacts.list("expected a list of contacts");
        if (items != null && items.isEmpty() && !contacts.isAbsent()) {
            contacts.fail("an empty list", "expected at least one contact");
        }
        for (Node item : items == null ? List.<Node>of() : items) {
            if (!item.expectMap("matrix_id", "email_address", "role")) {
                continue;
            }
            Node role = item.field("role");
            role.string("expected a role such as m.role.admin or m.role.security");
            Node matrixId = item.field("matrix_id");
            Node email = item.field("email_address");
            if (matrixId.isAbsent() && email.isAbsent()) {
                item.fail("neither matrix_id nor email_address", "expected at least one of: matrix_id, email_address");
            }
            if (!matrixId.isAbsent()) {
                String id = matrixId.string("expected a user id such as @admin:example.com");
                if (id != null && (!id.startsWith("@") || id.indexOf(':') < 2)) {
                    matrixId.fail("expected a user id such as @admin:example.com");
                }
            }
            if (!email.isAbsent()) {
                email.string("expected an email address");
            }
        }
        return node.json(RouteActionBinder.JSON_EXPECTED);
    }

    private static void httpsUrl(Node node) {
        String text = node.string(HTTPS_URL_EXPECTED);
        if (text == null) {
            return;
        }
        try {
            URI uri = new URI(text);
            // The authority as the server document's m.server: a host, and a port of 1-65535 if any.
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getQuery() != null
                    || uri.getFragment() != null || uri.getUserInfo() != null || !isServer(uri.getRawAuthority())) {
                node.fail(HTTPS_URL_EXPECTED);
            }
        } catch (URISyntaxException e) {
            node.fail(HTTPS_URL_EXPECTED);
        }
    }

    /** {@code host}, {@code host:port}, {@code [v6]:port}, as the server-server spec's delegated name. */
    static boolean isServer(String text) {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return false;
                }
                port = rest.substring(1);
            }
            if (Cidr.IpLiterals.parse(host) == null) {
                return false;
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0) {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
            if (!isHost(host)) {
                return false;
            }
        }
        if (port == null) {
            return true;
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int number = Integer.parseInt(port);
        return number >= 1 && number <= 65535;
    }

    /** A DNS name or IPv4 literal: labels of letters, digits and hyphens. */
    static boolean isHost(String text) {
        if (text.isEmpty() || text.length() > 253 || text.startsWith(".") || text.endsWith(".")) {
            return false;
        }
        for (String label : text.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }
}
