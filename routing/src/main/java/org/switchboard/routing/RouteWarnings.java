package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Mistakes a route table can hold that no single route shows, said by {@code --check}, at start
 * and at each reload (warnings: the config is valid and runs as written):
 * <ul>
 * <li>a route of one's own that never matches, because a route before it (often one of the
 * built-in table's, when it is written after {@code preset: synapse}) takes every request it
 * would: its allow list or rate limit then guards nothing;</li>
 * <li>Synapse's admin API forwarded to main from every client address, on some Host: Synapse's
 * docs advise keeping it private, and an NGINX set up as they say never forwards it.</li>
 * </ul>
 */
public final class RouteWarnings {
    private static final String PRESET = "synapse/";
    private static final String WELL_KNOWN = "wellKnown/";
    /**
     * Requests of Synapse's admin API, each method on a path of each version: a guard that covers
     * only some of them (one version's prefix, GET alone) leaves the rest open, and is said.
     */
    private static final List<RequestView> ADMIN_PROBES = adminProbes();

    private RouteWarnings() {
    }

    public static List<String> of(RoutingSnapshot snapshot) {
        List<String> warnings = new ArrayList<>();
        shadowedRoutes(snapshot.routeTable().routes(), warnings);
        openAdminApi(snapshot, warnings);
        return warnings;
    }

    private static void shadowedRoutes(List<Route> routes, List<String> warnings) {
        for (int i = 0; i < routes.size(); i++) {
            Route later = routes.get(i);
            if (later.name().startsWith(PRESET) || later.name().startsWith(WELL_KNOWN)) { // the table's own overlaps are meant
                continue;
            }
            for (int j = 0; j < i; j++) {
                Route earlier = routes.get(j);
                if (takesEveryRequestOf(earlier, later)) {
                    warnings.add(later.name() + " (" + later.path() + ") never matches: " + earlier.name() + " before it ("
                            + earlier.path() + ") takes every request it would" + guardNote(later));
                    break;
                }
            }
        }
    }

    private static String guardNote(Route route) {
        RouteActions actions = route.actions();
        if (actions.allow() != null || actions.rateLimit() != null) {
            return ", so its " + (actions.allow() != null ? "allow list" : "rate limit")
                    + " guards nothing; write it before the route that takes its requests";
        }
        return "; write it before the route that takes its requests";
    }

    /**
     * Whether {@code earlier} matches every request {@code later} could: on every Host
     * {@code later} serves, for each of its methods, on every path it could match. Judged on
     * literal prefixes, so a pair of regexes that only overlap is never reported.
     */
    static boolean takesEveryRequestOf(Route earlier, Route later) {
        if (earlier.host() != null && !Objects.equals(earlier.host(), later.host())) {
            return false;
        }
        if (earlier.initialSyncOnly()) {
            return false;
        }
        if (!earlier.methods().isEmpty() && (later.methods().isEmpty() || !earlier.methods().containsAll(later.methods()))) {
            return false;
        }
        if (!(earlier.path() instanceof PathMatcher.Prefix prefix)) {
            return false;
        }
        String taken = prefix.prefix();
        if (taken.equals("/")) {
            return true; // every path a request can have
        }
        for (String literal : later.path().literalPrefixes()) {
            if (!literal.startsWith(taken)) {
                return false; // including "": a regex whose start is not known
            }
        }
        return true;
    }

    private static void openAdminApi(RoutingSnapshot snapshot, List<String> warnings) {
        Route toMain = snapshot.unmatched();
        if (toMain == null) {
            return; // without the preset, which upstream is Synapse is the config's own business
        }
        VirtualHosts hosts = snapshot.hosts();
        if (hosts == null) {
            warnIfOpen(snapshot.routeTable(), toMain, toMain, "on every Host", warnings);
            return;
        }
        for (VirtualHosts.Table table : hosts.tables()) {
            warnIfOpen(table.routes(), table.unmatched(), toMain, "on Host " + table.host(), warnings);
        }
        if (!hosts.tables().contains(hosts.fallback())) {
            warnIfOpen(hosts.fallback().routes(), hosts.fallback().unmatched(), toMain, "on every Host no route names", warnings);
        }
    }

    /** Says the first admin request the table would forward to main unguarded, if any. */
    private static void warnIfOpen(RouteTable table, Route unmatched, Route toMain, String where, List<String> warnings) {
        for (RequestView probe : ADMIN_PROBES) {
            Route matched = table.match(probe);
            Route route = matched != null ? matched : unmatched;
            if (isOpen(route, toMain)) {
                warn(route, probe, where, warnings);
                return;
            }
        }
    }

    private static boolean isOpen(Route route, Route toMain) {
        return route != null && !route.responds() && route.actions().allow() == null && route.upstream() == toMain.upstream();
    }

    private static void warn(Route route, RequestView probe, String where, List<String> warnings) {
        warnings.add("Synapse's admin API (/_synapse/admin/) is forwarded to " + route.upstreamName()
                + " from every client address " + where + " (route " + route.name() + "), e.g. " + probe.method() + " "
                + probe.path() + "; Synapse's docs advise"
                + " keeping it private: put a route for /_synapse/admin/ with allow before the preset (the README's"
                + " recipe for a private admin API), or give that route allow: [\"0.0.0.0/0\", \"::/0\"]"
                + " to say it is meant");
    }

    private static List<RequestView> adminProbes() {
        List<RequestView> probes = new ArrayList<>();
        for (String path : List.of("/_synapse/admin/v1/server_version", "/_synapse/admin/v1/register",
                "/_synapse/admin/v2/users/@probe:example.org", "/_synapse/admin/v1/rooms/!probe:example.org",
                "/_synapse/admin/v1/media/example.org/probe", "/_synapse/admin/v3/probe")) {
            for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
                probes.add(new Probe(method, path));
            }
        }
        return List.copyOf(probes);
    }

    private record Probe(String method, String path) implements RequestView {
        @Override
        public String query() {
            return null;
        }

        @Override
        public String host() {
            return null;
        }

        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public String clientAddress() {
            return null;
        }
    }
}
