package org.switchboard.config;

import java.time.Duration;

/**
 * Learning the user behind tokens that name none ({@code mat_}, macaroons, appservice tokens)
 * from {@code GET /_matrix/client/v3/account/whoami} on the main upstream, off the request path,
 * so the {@code user} hash key can keep all of a user's devices on one synchrotron.
 *
 * @param enabled     off by default: it costs Synapse one whoami per new token
 * @param cacheSize   tokens remembered (by hash; the tokens themselves are not kept)
 * @param expireAfter how long an answer is trusted (a token's user never changes; this bounds memory)
 * @param timeout     one lookup's limit
 */
public record UserLookupSpec(boolean enabled, int cacheSize, Duration expireAfter, Duration timeout) {
    public static final UserLookupSpec DEFAULTS = new UserLookupSpec(false, 100_000, Duration.ofHours(1), Duration.ofSeconds(5));
}
