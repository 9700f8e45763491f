package org.switchboard.proxy.http;

import org.switchboard.config.RateLimitSpec;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.router.IndexedRequestView;
import org.switchboard.routing.Endpoint;
import org.switchboard.routing.RequestView;
import org.switchboard.routing.Route;
import org.switchboard.routing.RouteActions;
import org.switchboard.proxy.router.StreamExchange;
import org.switchboard.proxy.stats.RequestRecord;
import org.switchboard.proxy.router.MatrixErrors;
import org.switchboard.proxy.router.LocalAnswer;

/**
 * The codec-neutral steps of a request between its parsed head and its exchange: find its route,
 * pick an endpoint, hold it to the route's limits. Every codec (HTTP/1 today, HTTP/2 streams
 * next) asks here, so a request is routed and refused the same way whatever carried it; the
 * codec then writes the upstream head its own way and starts a {@link StreamExchange}.
 */
public final class RequestJourney {
    private RequestJourney() {
    }

    /** A parsed head's forwarding decision (null for an untrusted peer) and its view for routing. */
    public record Start(ForwardingHeaders.Decision forwarding, IndexedRequestView view) {
    }

    /**
     * The first step after the parse, whatever the codec: what the peer's forwarding headers are
     * worth, then the view routing reads. The record learns the client, the request id and the
     * path (the method it has already).
     */
    public static Start start(ProxySnapshot snapshot, HeadIndex index, Peer peer, String scheme, RequestRecord record) {
        // From an untrusted peer (the usual case) nothing of the head is believed: no objects needed.
        ForwardingHeaders.Decision forwarding = peer.trusted()
                ? snapshot.forwarding().decide(index, peer.address(), peer.text(), scheme) : null;
        record.client = forwarding == null ? peer.text() : forwarding.client();
        if (forwarding == null) {
            record.newRequestId();
        } else {
            record.requestId = forwarding.requestId();
        }
        IndexedRequestView view = new IndexedRequestView(index, record.method, index.originFormTarget(), record.client);
        record.path = view.path();
        return new Start(forwarding, view);
    }

    /** Where a request goes: a route and an endpoint, or the local answer it gets instead. */
    public record Decision(Route route, Endpoint endpoint, LocalAnswer answer) {
        public boolean forwarded() {
            return answer == null;
        }
    }

    /**
     * Routes the request the view describes; the record learns the route and the upstream. A
     * route's allow-list comes first (403), then its rate limit (429), then its fixed answer.
     *
     * @param client        the client's address (after trusted proxies and PROXY protocol), 4 or 16 bytes
     * @param contentLength the declared body length, or -1 when unknown (chunked, or none)
     */
    public static Decision route(ProxySnapshot snapshot, RequestView view, byte[] client, long contentLength,
                          RequestRecord record) {
        if ("*".equals(view.path())) {
            return new Decision(null, null, FixedAnswer.SERVER_OPTIONS); // the parser let * through for OPTIONS only
        }
        Route route = snapshot.routing().route(view);
        if (route == null) {
            return new Decision(null, null, MatrixErrors.NO_ROUTE);
        }
        record.route = route.name();
        record.upstream = route.upstreamName();
        RouteActions actions = route.actions();
        if (!actions.admits(client)) {
            return new Decision(route, null, MatrixErrors.FORBIDDEN);
        }
        RateLimitSpec limit = actions.rateLimit();
        // A CORS preflight (OPTIONS) is not counted: Synapse runs no endpoint for it, and
        // counting it would spend a browser client's token before its real request.
        if (limit != null && !limit.exempts(client) && !"OPTIONS".equals(view.method())) {
            long wait = snapshot.rateLimiter().acquire(RateLimiter.keyOf(client, view.clientAddress()),
                    actions.rateLimitSlot(), limit);
            if (wait > 0) {
                return new Decision(route, null, new RateLimited(wait));
            }
        }
        if (actions.respond() != null) {
            return new Decision(route, null, snapshot.answer(actions.respond()));
        }
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
