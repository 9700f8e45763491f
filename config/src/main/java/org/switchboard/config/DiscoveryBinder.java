package org.switchboard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Binds an upstream's {@code dns} and the top-level {@code discovery} section, part of
 * {@link SpecBinder}. Same null-on-error rule as the other binders.
 */
final class DiscoveryBinder {
    private static final String NAME_EXPECTED = "expected a DNS name (letters, digits, -, _ and dots)";
    private static final String TYPE_EXPECTED = "expected one of: SRV, A, AAAA";
    private static final Duration MIN_REFRESH = Duration.ofSeconds(1);
    private static final Duration MIN_QUERY_TIMEOUT = Duration.ofMillis(100);

    private DiscoveryBinder() {
    }

    /** {@code dns: {name, type, port, refresh}}; null (reported) when broken. */
    static DnsSpec dns(Node node) {
        if (!node.expectMap("name", "type", "port", "refresh")) {
            return null;
        }
        Node nameNode = node.field("name");
        String name = nameNode.string(NAME_EXPECTED);
        if (name != null && !isDnsName(name)) {
            nameNode.fail(NAME_EXPECTED);
            name = null;
        }
        Node typeNode = node.field("type");
        DnsSpec.Type type = typeNode.isAbsent() ? DnsSpec.Type.SRV : type(typeNode);
        Node portNode = node.field("port");
        Integer port = null;
        if (type == DnsSpec.Type.SRV && !portNode.isAbsent()) {
            portNode.fail("expected no port: SRV records carry their own ports");
        } else if (type == DnsSpec.Type.SRV) {
            port = 0;
        } else if (type != null) {
            port = portNode.integer(1, 65535);
        }
        Node refreshNode = node.field("refresh");
        Duration refresh = refreshNode.durationOr(DnsSpec.DEFAULT_REFRESH);
        if (refresh != null && refresh.compareTo(MIN_REFRESH) < 0) {
            refreshNode.fail("expected a duration of at least 1s");
            refresh = null;
        }
        if (name == null || type == null || port == null || refresh == null) {
            return null;
        }
        return new DnsSpec(name, type, port, refresh);
    }

    private static DnsSpec.Type type(Node node) {
        String text = node.string(TYPE_EXPECTED);
        if (text == null) {
            return null;
        }
        try {
            return DnsSpec.Type.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            node.fail(TYPE_EXPECTED);
            return null;
        }
    }

    static boolean isDnsName(String name) {
        if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.contains("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code discovery: {nameservers: ["10.96.0.10:53"], queryTimeout: 2s}}; defaults when absent. */
    static DiscoverySpec discovery(Node node) {
        if (node.isAbsent()) {
            return DiscoverySpec.DEFAULTS;
        }
        if (!node.expectMap("nameservers", "queryTimeout")) {
            return null;
        }
        Node serversNode = node.field("nameservers");
        List<HostPort> nameservers = new ArrayList<>();
        boolean broken = false;
        if (!serversNode.isAbsent()) {
            List<Node> items = serversNode.list("expected a list of host:port nameservers");
            if (items == null) {
                broken = true;
            } else {
                for (Node item : items) {
                    HostPort server = item.hostPort(false);
                    if (server == null) {
                        broken = true;
                    } else if (Cidr.IpLiterals.parse(server.host()) == null) {
                        item.fail("expected an IP address:port (a nameserver cannot be looked up by name)");
                        broken = true;
                    } else {
                        nameservers.add(server);
                    }
                }
            }
        }
        Node timeoutNode = node.field("queryTimeout");
        Duration queryTimeout = timeoutNode.durationOr(DiscoverySpec.DEFAULTS.queryTimeout());
        if (queryTimeout != null && queryTimeout.compareTo(MIN_QUERY_TIMEOUT) < 0) {
            timeoutNode.fail("expected a duration of at least 100ms");
            queryTimeout = null;
        }
        return broken || queryTimeout == null ? null : new DiscoverySpec(nameservers, queryTimeout);
    }
}
