package org.switchboard.proxy.admin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.switchboard.health.HealthView;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.Upstream;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.logging.Json;

/** {@code GET /endpoints} on the admin listener: health, ejection and load of every endpoint. */
public final class EndpointsJson {
    private EndpointsJson() {
    }

    public static String of(ProxySnapshot snapshot, List<HealthView> views) {
        Map<String, HealthView> byKey = new HashMap<>();
        views.forEach(view -> byKey.put(view.upstream() + "/" + view.endpoint(), view));
        long now = System.nanoTime();
        long wallNow = System.currentTimeMillis();
        StringBuilder json = new StringBuilder("{\"generation\":").append(snapshot.generation()).append(",\"endpoints\":[");
        boolean first = true;
        for (Upstream upstream : snapshot.routing().upstreams().values()) {
            for (Endpoint endpoint : upstream.endpoints()) {
                HealthView view = byKey.get(upstream.name() + "/" + endpoint.id());
                json.append(first ? "" : ",").append("{\"upstream\":").append(Json.quote(upstream.name()))
                        .append(",\"endpoint\":").append(Json.quote(endpoint.id()))
                        .append(",\"address\":").append(Json.quote(endpoint.address().toString()))
                        .append(",\"available\":").append(endpoint.load().available())
                        .append(",\"inFlight\":").append(endpoint.load().inFlight());
                if (view != null) {
                    json.append(",\"health\":").append(Json.quote(view.state().name().toLowerCase()))
                            .append(",\"ejectedUntil\":").append(view.ejectedUntilNanos() == null ? "null"
                                    : String.valueOf(wallNow + (view.ejectedUntilNanos() - now) / 1_000_000))
                            .append(",\"lastFailure\":").append(view.lastFailure() == null ? "null" : Json.quote(view.lastFailure()))
                            .append(",\"consecutiveCheckFailures\":").append(view.consecutiveCheckFailures())
                            .append(",\"consecutiveRequestFailures\":").append(view.consecutiveRequestFailures())
                            .append(",\"ejections\":").append(view.ejectionCount());
                }
                json.append('}');
                first = false;
            }
        }
        return json.append("]}").toString();
    }
}
