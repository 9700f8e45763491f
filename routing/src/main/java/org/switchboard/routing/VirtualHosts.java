package org.switchboard.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Route tables by Host, built once per snapshot: requests are matched by host before path, so
 * each host searches only its own table: the routes naming it (or, for a wildcard's table, naming
 * that wildcard) and those naming no host, in their order. As Envoy and NGINX pick a virtual host,
 * the Host header's exact name wins, then the nearest {@code *.} wildcard, then the fallback: the
 * table of {@code defaultHost}, else the routes that name no host. A Host is looked up without a
 * copy: its name (port and brackets left out, any case) is hashed and compared in place.
 */
public final class VirtualHosts {

    /** One host's routes, and where they send what none of them matches (the preset's main), if anywhere. */
    public record Table(String host, RouteTable routes, Route unmatched) {
    }

    private final List<Table> tables;
    private final Table fallback;
    private final String[] keys;
    private final Table[] values;
    private final int mask;

    private VirtualHosts(List<Table> tables, Table fallback) {
        this.tables = List.copyOf(tables);
        this.fallback = fallback;
        int capacity = Integer.highestOneBit(Math.max(1, tables.size()) * 4 - 1) << 1;
        this.keys = new String[capacity];
        this.values = new Table[capacity];
        this.mask = capacity - 1;
        for (Table table : tables) {
            // A wildcard is kept as its suffix with the dot: "*.example.com" under ".example.com".
            String key = table.host().startsWith("*.") ? table.host().substring(1) : table.host();
            int slot = hash(key, 0, key.length()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = table;
        }
    }

    /**
     * @param routes      every route in table order, hosts lower case
     * @param presetRoute which of them came from the built-in table (their table falls back to main)
     * @param unmatched   the fallback to main, for a table holding preset routes
     * @param defaultHost the host whose table serves unknown hosts, or null
     */
    static VirtualHosts of(List<Route> routes, Predicate<Route> presetRoute, Route unmatched,
                           String defaultHost) {
        Map<String, Table> byHost = new LinkedHashMap<>();
        for (Route route : routes) {
            if (route.host() != null && !byHost.containsKey(route.host())) {
                byHost.put(route.host(), table(route.host(), routes, presetRoute, unmatched));
            }
        }
        Table anyHost = table(null, routes, presetRoute, unmatched);
        VirtualHosts hosts = new VirtualHosts(new ArrayList<>(byHost.values()), anyHost);
        Table fallback = defaultHost == null ? anyHost : hosts.lookup(defaultHost);
        return new VirtualHosts(new ArrayList<>(byHost.values()), fallback);
    }

    private static Table table(String host, List<Route> routes, Predicate<Route> presetRoute,
                               Route unmatched) {
        List<Route> own = new ArrayList<>();
        boolean preset = false;
        for (Route route : routes) {
            if (route.host() == null || route.host().equals(host)) {
                own.add(route);
                preset |= presetRoute.test(route);
            }
        }
        return new Table(host, new RouteTable(own), preset ? unmatched : null);
    }

    /** The table for a Host header's value (null: no Host). */
    public Table lookup(String hostHeader) {
        if (hostHeader == null) {
            return fallback;
        }
        int start = 0;
        int end = hostHeader.length();
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            if (close < 0) {
                return fallback;
            }
            start = 1;
            end = close;
        } else {
            int colon = hostHeader.indexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > start + 1 && hostHeader.charAt(end - 1) == '.') {
            end--; // "matrix.example.com." is the same name fully qualified, as the TLS gate sees it
        }
        Table exact = find(hostHeader, start, end);
        if (exact != null) {
            return exact;
        }
        for (int dot = hostHeader.indexOf('.', start + 1); dot > 0 && dot < end; dot = hostHeader.indexOf('.', dot + 1)) {
            Table wildcard = find(hostHeader, dot, end);
            if (wildcard != null && wildcard.host().startsWith("*.")) {
                return wildcard;
            }
        }
        return fallback;
    }

    private Table find(String text, int start, int end) {
        int slot = hash(text, start, end) & mask;
        while (keys[slot] != null) {
            String key = keys[slot];
            if (key.length() == end - start && sameIgnoringAsciiCase(text, start, key)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /** {@code text[start..]} against a lower-case key; ASCII only, as host names are (regionMatches' Unicode folding is slower). */
    private static boolean sameIgnoringAsciiCase(String text, int start, String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = text.charAt(start + i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII case-insensitive, so a key and any spelling of it land in one slot. */
    private static int hash(String text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            h = 31 * h + (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        return h ^ (h >>> 16);
    }

    /** The tables of the hosts routes name, in the order they first appear. */
    public List<Table> tables() {
        return tables;
    }

    /** The table for hosts no route names. */
    public Table fallback() {
        return fallback;
    }
}
