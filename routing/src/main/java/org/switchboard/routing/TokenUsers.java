package org.switchboard.routing;

/**
 * The user behind an access token that does not name one ({@code mat_} tokens of the Matrix
 * Authentication Service, old macaroons, appservice tokens), when already known. Never blocks:
 * an implementation answers from a cache and may start a lookup in the background for next time.
 */
@FunctionalInterface
public interface TokenUsers {

    /** Knows nothing: the whole token is the key. */
    TokenUsers NONE = token -> null;

    /** The Matrix user id ({@code @alice:example.org}) if known now, else null. */
    String userOf(String token);
}
