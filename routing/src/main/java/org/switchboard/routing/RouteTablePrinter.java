package org.switchboard.routing;

import java.util.ArrayList;
import java.util.List;
import org.switchboard.config.LoadBalancerKind;

/** The effective route table as text for {@code --print-routes}: what will happen, in order. */
public final class RouteTablePrinter {
    private RouteTablePrinter() {
    }

    public static String print(RoutingSnapshot snapshot, SynapsePreset preset) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ROUTE", "METHODS", "PATH", "UPSTREAM", "BALANCER", "HASH KEY"});
        for (Route route : snapshot.routeTable().routes()) {
            rows.add(row(route));
        }
        if (snapshot.unmatched() != null) {
            String[] row = row(snapshot.unmatched());
            row[2] = "anything unmatched";
            rows.add(row);
        }
        StringBuilder out = new StringBuilder();
        boolean usesPreset = snapshot.unmatched() != null;
        if (usesPreset) {
            out.append("# built-in Synapse table: Synapse ").append(preset.synapseVersion())
                    .append(" (docs/workers.md at ").append(preset.synapseCommit()).append(")\n");
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
        return out.toString();
    }

    private static String[] row(Route route) {
        String methods = route.methods().isEmpty() ? "*" : String.join(",", route.methods().stream().sorted().toList());
        String path = route.path().toString() + (route.initialSyncOnly() ? "  [initial syncs only]" : "")
                + (route.host() != null ? "  [host " + route.host() + "]" : "") + route.actions().describe();
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
