package org.switchboard.config;

/**
 * What one client may ask of the proxy; beyond each limit a clear answer, never a crash.
 *
 * @param requestTarget          longest request-target (414 beyond)
 * @param requestHeaders         largest request head (431 beyond)
 * @param requestBody            largest body on a route without a limit of its own (413 beyond)
 * @param mediaUploadBody        largest body on the built-in table's media routes (uploads)
 * @param connectionsPerListener open client connections per listener (503 beyond)
 * @param connectionsPerClient   open connections per client address (429 beyond); 0 (the default,
 *                               as in HAProxy and NGINX) for no limit: an office behind one NAT
 *                               address opens thousands. Trusted proxies are exempt, since they
 *                               carry many clients
 * @param rateLimitAddresses     client addresses whose rate-limit buckets are kept (the least
 *                               recently seen go first), so memory does not grow with an attacker's addresses
 */
public record LimitsSpec(int requestTarget, int requestHeaders, long requestBody, long mediaUploadBody,
                         int connectionsPerListener, int connectionsPerClient, int rateLimitAddresses) {
    public static final LimitsSpec DEFAULTS =
            new LimitsSpec(8 * 1024, 32 * 1024, 32L << 20, 100L << 20, 20_000, 0, 100_000);
}
