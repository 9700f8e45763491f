package org.switchboard.routing;

/**
 * What a ring-hash upstream hashes for a request, as a 64-bit hash computed in place (no
 * substring per request). Every extractor falls back to the client address when its key is
 * missing, so a request always has a position on the ring.
 */
@FunctionalInterface
public interface HashKeyExtractor {

    long hash(RequestView request);

    /**
     * The extractor for a config key: user, token, room, source or header:NAME; and the built-in
     * table's {@code single} (every request the same key: one endpoint for all, as SSO logins need).
     */
    static HashKeyExtractor of(String configKey) {
        return of(configKey, TokenUsers.NONE);
    }

    /** As {@link #of(String)}, with {@code users} naming the users of tokens that carry none. */
    static HashKeyExtractor of(String configKey, TokenUsers users) {
        if (configKey == null || configKey.equals("user")) {
            return users == TokenUsers.NONE ? HashKeys.USER : HashKeys.user(users);
        }
        return switch (configKey) {
            case "token" -> HashKeys.TOKEN;
            case "room" -> HashKeys.ROOM;
            case "source" -> HashKeys.SOURCE;
            case "single" -> HashKeys.SINGLE;
            default -> {
                if (!configKey.startsWith("header:")) {
                    throw new IllegalArgumentException("unknown hash key " + configKey);
                }
                yield HashKeys.header(configKey.substring("header:".length()));
            }
        };
    }
}
