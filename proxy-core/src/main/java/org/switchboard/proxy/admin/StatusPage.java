package org.switchboard.proxy.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.switchboard.health.HealthView;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.logging.Json;
import org.switchboard.proxy.server.Reloader;
import org.switchboard.proxy.server.Switchboard;
import org.switchboard.proxy.server.Version;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.Upstream;

/**
 * {@code GET /status} (JSON) and {@code GET /} (the same for people: one self-contained HTML page
 * that refreshes itself, no external assets, since clusters may be air-gapped).
 */
public final class StatusPage {
    private StatusPage() {
    }

    /** One endpoint as the status shows it. */
    private record Row(String upstream, String endpoint, String address, boolean available, String health,
                       Long ejectedForMillis, String lastFailure, int inFlight, long requests) {
    }

    /**
     * @param sectionFields further top-level fields, already JSON, comma-separated (the reload
     *                      counts, the DNS discovery state)
     */
    public static String json(ProxySnapshot snapshot, List<HealthView> views, Map<String, String> listeners, String sectionFields,
                       List<String> recentErrors) {
        StringBuilder json = new StringBuilder("{\"generation\":").append(snapshot.generation());
        json.append(",").append(sectionFields).append(",\"listeners\":[");
        boolean first = true;
        for (Map.Entry<String, String> listener : listeners.entrySet()) {
            json.append(first ? "" : ",").append("{\"name\":").append(Json.quote(listener.getKey()))
                    .append(",\"address\":").append(Json.quote(listener.getValue())).append('}');
            first = false;
        }
        json.append("],\"endpoints\":[");
        first = true;
        for (Row row : rows(snapshot, views)) {
            json.append(first ? "" : ",").append("{\"upstream\":").append(Json.quote(row.upstream()))
                    .append(",\"endpoint\":").append(Json.quote(row.endpoint()))
                    .append(",\"address\":").append(Json.quote(row.address()))
                    .append(",\"available\":").append(row.available())
                    .append(",\"health\":").append(Json.quote(row.health()))
                    .append(",\"ejectedForMs\":").append(row.ejectedForMillis() == null ? "null" : row.ejectedForMillis().toString())
                    .append(",\"lastFailure\":").append(row.lastFailure() == null ? "null" : Json.quote(row.lastFailure()))
                    .append(",\"inFlight\":").append(row.inFlight())
                    .append(",\"requests\":").append(row.requests()).append('}');
            first = false;
        }
        json.append("],\"recentErrors\":[");
        for (int i = 0; i < recentErrors.size(); i++) {
            json.append(i == 0 ? "" : ",").append(Json.quote(recentErrors.get(i)));
        }
        return json.append("]}").toString();
    }

    /**
     * @param lastReload   the last reload's outcome, or null when there was none (or nothing to reload)
     * @param certificates one row per TLS certificate: listener, name, expiry, last refusal
     */
    public static String html(ProxySnapshot snapshot, List<HealthView> views, Map<String, String> listeners,
                       Reloader.Outcome lastReload, List<String> recentErrors, List<String[]> certificates) {
        StringBuilder html = new StringBuilder(4096).append("""
                <!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
                <title>Switchboard</title><style>
                body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}
                table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
                th{background:#f4f4f4}.up{color:#17803d;font-weight:600}.down{color:#b42318;font-weight:600}
                .muted{color:#777}</style></head><body>
                """);
        html.append("<h1>Switchboard <span class=\"muted\">").append(escape(Version.SWITCHBOARD))
                .append("</span></h1><p>Config generation <b>").append(snapshot.generation()).append("</b>");
        // Only the last reload: a refusal followed by a good reload is history, not a red alert.
        if (lastReload != null && lastReload.applied()) {
            html.append(" &middot; last reload applied at ").append(escape(lastReload.at().toString())).append(" (")
                    .append(escape(lastReload.trigger())).append(')');
        } else if (lastReload != null) {
            html.append(" &middot; <span class=\"down\">last reload refused at ").append(escape(lastReload.at().toString()))
                    .append(" (").append(escape(lastReload.trigger())).append("): ")
                    .append(escape(String.join("; ", lastReload.errors()))).append("</span>");
        }
        html.append(" &middot; <span class=\"muted\">refreshes every 5 s</span></p><h2>Listeners</h2><table><tr><th>name</th><th>address</th></tr>");
        listeners.forEach((name, address) -> html.append("<tr><td>").append(escape(name)).append("</td><td>")
                .append(escape(address)).append("</td></tr>"));
        if (!certificates.isEmpty()) {
            html.append("</table><h2>Certificates</h2><table><tr><th>listener</th><th>certificate</th><th>expires</th>"
                    + "<th>last refused reload</th></tr>");
            for (String[] row : certificates) {
                html.append("<tr><td>").append(escape(row[0])).append("</td><td>").append(escape(row[1]))
                        .append("</td><td>").append(escape(row[2])).append("</td><td class=\"down\">")
                        .append(escape(row[3])).append("</td></tr>");
            }
        }
        html.append("</table><h2>Endpoints</h2><table><tr><th>upstream</th><th>endpoint</th><th>state</th><th>health</th>"
                + "<th>ejected for</th><th>in flight</th><th>requests</th><th>last failure</th></tr>");
        for (Row row : rows(snapshot, views)) {
            html.append("<tr><td>").append(escape(row.upstream())).append("</td><td>").append(escape(row.endpoint()))
                    .append("</td><td class=\"").append(row.available() ? "up\">UP" : "down\">DOWN").append("</td><td>")
                    .append(escape(row.health())).append("</td><td>")
                    .append(row.ejectedForMillis() == null ? "" : row.ejectedForMillis() / 1000 + " s").append("</td><td>")
                    .append(row.inFlight()).append("</td><td>").append(row.requests()).append("</td><td class=\"muted\">")
                    .append(row.lastFailure() == null ? "" : escape(row.lastFailure())).append("</td></tr>");
        }
        html.append("</table><h2>Recent errors the proxy answered itself</h2><table><tr><th>time and kind</th></tr>");
        for (String error : recentErrors) {
            html.append("<tr><td>").append(escape(error)).append("</td></tr>");
        }
        if (recentErrors.isEmpty()) {
            html.append("<tr><td class=\"muted\">none</td></tr>");
        }
        return html.append("</table><p class=\"muted\">JSON: <a href=\"/status\">/status</a>, metrics: "
                + "<a href=\"/metrics\">/metrics</a></p></body></html>\n").toString();
    }

    private static List<Row> rows(ProxySnapshot snapshot, List<HealthView> views) {
        Map<String, HealthView> byKey = new HashMap<>();
        views.forEach(view -> byKey.put(view.upstream() + "/" + view.endpoint(), view));
        long now = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        for (Upstream upstream : snapshot.routing().upstreams().values()) {
            for (Endpoint endpoint : upstream.endpoints()) {
                HealthView view = byKey.get(upstream.name() + "/" + endpoint.id());
                Long ejectedFor = view == null || view.ejectedUntilNanos() == null ? null
                        : Math.max(0, (view.ejectedUntilNanos() - now) / 1_000_000);
                rows.add(new Row(upstream.name(), endpoint.id(), endpoint.address().toString(), endpoint.load().available(),
                        view == null ? "unknown" : view.state().name().toLowerCase(), ejectedFor,
                        view == null ? null : view.lastFailure(), endpoint.load().inFlight(), endpoint.load().requests()));
            }
        }
        return rows;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
