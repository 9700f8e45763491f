package org.switchboard.routing;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.switchboard.config.Cidr;
import org.switchboard.config.RateLimitSpec;
import org.switchboard.config.RespondSpec;

/**
 * What a route does besides naming an upstream, checked in this order once it matched: admit
 * only {@code allow}ed client addresses (403), hold each address to {@code rateLimit} (429),
 * answer with {@code respond} instead of forwarding, or forward with {@code stripPrefix} taken
 * off the path.
 *
 * @param allow         the client addresses admitted, or null for every address
 * @param rateLimit     the per-address limit, or null for none
 * @param rateLimitSlot this route's bucket among the snapshot's rate-limited routes, or -1
 * @param respond       the fixed answer, or null to forward
 * @param stripPrefix   the prefix the upstream does not see, or null
 */
public record RouteActions(Cidr[] allow, RateLimitSpec rateLimit, int rateLimitSlot, RespondSpec respond,
                           String stripPrefix) {
    public static final RouteActions NONE = new RouteActions(null, null, -1, null, null);

    public static RouteActions of(List<Cidr> allow, RateLimitSpec rateLimit, int rateLimitSlot, RespondSpec respond,
                                  String stripPrefix) {
        return new RouteActions(allow == null ? null : allow.toArray(new Cidr[0]), rateLimit, rateLimitSlot, respond,
                stripPrefix);
    }

    public static RouteActions respond(RespondSpec respond) {
        return new RouteActions(null, null, -1, respond, null);
    }

    /** Whether a client address (4 or 16 bytes, mapped IPv6 folded) may use the route. */
    public boolean admits(byte[] client) {
        if (allow == null) {
            return true;
        }
        for (Cidr cidr : allow) {
            if (cidr.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /** The upstream's path for {@code path}: the prefix removed, a leading {@code /} kept. */
    public String upstreamPath(String path) {
        if (stripPrefix == null || !path.startsWith(stripPrefix)) {
            return path;
        }
        String rest = path.substring(stripPrefix.length());
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    /** For --print-routes. */
    String describe() {
        StringBuilder out = new StringBuilder();
        if (allow != null) {
            out.append("  [allow ").append(String.join(",", Arrays.stream(allow).map(Cidr::text).toList()))
                    .append(']');
        }
        if (rateLimit != null) {
            out.append("  [rateLimit ").append(rateLimit.requests()).append('/')
                    .append(rateLimit.per().toString().substring(2).toLowerCase(Locale.ROOT))
                    .append(" burst ").append(rateLimit.burst()).append(']');
        }
        if (stripPrefix != null) {
            out.append("  [stripPrefix]");
        }
        return out.toString();
    }
}
