package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;
import org.switchboard.config.LoadBalancerKind;
import org.switchboard.config.SynapseVersion;

/** The effective route table as text for {@code --print-routes}: what will happen, in order. */
public final class RouteTablePrinter {
    private RouteTablePrinter() {
    }

    public static String print(RoutingSnapshot snapshot, SynapsePreset preset) {
        StringBuilder out = new StringBuilder();
        boolean usesPreset = snapshot.unmatched() != null;
        if (usesPreset) {
            out.append("# built-in Synapse table: Synapse ").append(preset.synapseVersion())
                    .append(" (docs/workers.md at ").append(preset.synapseCommit()).append(")\n");
            out.append("# following Synapse ").append(snapshot.followed().describe(preset));
            if (snapshot.heldBackCount() > 0) {
                out.append(": ").append(snapshot.heldBackCount())
                        .append(" routes held back on main until the release whose workers serve them");
            }
            out.append('\n');
        }
        VirtualHosts hosts = snapshot.hosts();
        if (hosts == null) {
            table(snapshot.routeTable(), snapshot.unmatched(), snapshot, out);
            return out.toString();
        }
        // Matched by Host first: each host's own table, in full, then what other hosts get.
        for (VirtualHosts.Table table : hosts.tables()) {
            out.append("\n# host ").append(table.host()).append('\n');
            table(table.routes(), table.unmatched(), snapshot, out);
        }
        VirtualHosts.Table fallback = hosts.fallback();
        out.append("\n# any other host").append(fallback.host() != null ? ": as " + fallback.host() : "").append('\n');
        if (fallback.routes().routes().isEmpty() && fallback.unmatched() == null) {
            out.append("(no route: 404)\n");
        } else {
            table(fallback.routes(), fallback.unmatched(), snapshot, out);
        }
        return out.toString();
    }

    private static void table(RouteTable routeTable, Route unmatched, RoutingSnapshot snapshot, StringBuilder out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ROUTE", "METHODS", "PATH", "UPSTREAM", "BALANCER", "HASH KEY"});
        for (Route route : routeTable.routes()) {
            rows.add(row(route, snapshot));
        }
        if (unmatched != null) {
            String[] row = row(unmatched, snapshot);
            row[2] = "anything unmatched";
            rows.add(row);
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String[] row(Route route, RoutingSnapshot snapshot) {
        String methods = route.methods().isEmpty() ? "*" : String.join(",", route.methods().stream().sorted().toList());
        SynapseVersion until = snapshot.heldBackUntil(route);
        String path = route.path().toString() + (route.initialSyncOnly() ? "  [initial syncs only]" : "")
                + (route.host() != null ? "  [host " + route.host() + "]" : "") + route.actions().describe()
                + (until != null ? "  [held back: workers serve it from Synapse " + until + "]" : "");
        Upstream upstream = route.upstream();
        if (upstream == null) {
            return new String[] {route.name(), methods, path, "(answered: " + route.actions().respond().status() + ")",
                    "-", "-"};
        }
        String balancer = route.hashes() && upstream.loadBalancerKind() != LoadBalancerKind.RING_HASH
                ? "ring_hash (route)" : upstream.loadBalancerKind().configName();
        return new String[] {route.name(), methods, path, upstream.name(), balancer,
                route.hashes() ? route.hashKeyName() : "-"};
    }
}
