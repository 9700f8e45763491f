package org.switchboard.routing;

import java.util.List;

/** The ordered routes of a snapshot; the first match wins. */
public final class RouteTable {
    private final Route[] routes;

    public RouteTable(List<Route> routes) {
        this.routes = routes.toArray(new Route[0]);
    }

    /** The first route matching the request, or null when none does. */
    public Route match(RequestView request) {
        for (Route route : routes) {
            if (route.matches(request)) {
                return route;
            }
        }
        return null;
    }

    public List<Route> routes() {
        return List.of(routes);
    }
}
