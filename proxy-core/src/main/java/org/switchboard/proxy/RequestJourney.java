package org.switchboard.proxy;

import org.switchboard.routing.Endpoint;
import org.switchboard.routing.RequestView;
import org.switchboard.routing.Route;

/**
 * The codec-neutral steps of a request between its parsed head and its exchange: find its route,
 * pick an endpoint, hold it to the route's limits. Every codec (HTTP/1 today, HTTP/2 streams
 * next) asks here, so a request is routed and refused the same way whatever carried it; the
 * codec then writes the upstream head its own way and starts a {@link StreamExchange}.
 */
final class RequestJourney {
    private RequestJourney() {
    }

    /** Where a request goes: a route and an endpoint, or the local reply it gets instead. */
    record Decision(Route route, Endpoint endpoint, MatrixErrors refusal) {
        boolean forwarded() {
            return refusal == null;
        }
    }

    /**
     * Routes the request the view describes; the record learns the route and the upstream.
     *
     * @param contentLength the declared body length, or -1 when unknown (chunked, or none)
     */
    static Decision route(ProxySnapshot snapshot, RequestView view, long contentLength, RequestRecord record) {
        Route route = snapshot.routing().route(view);
        if (route == null) {
            return new Decision(null, null, MatrixErrors.NO_ROUTE);
        }
        record.route = route.name();
        record.upstream = route.upstream().name();
        Endpoint endpoint = route.pick(view);
        if (endpoint == null) {
            return new Decision(route, null, MatrixErrors.NO_ENDPOINT);
        }
        if (contentLength > route.maxBodyBytes()) {
            return new Decision(route, endpoint, MatrixErrors.BODY_TOO_LARGE);
        }
        return new Decision(route, endpoint, null);
    }
}
