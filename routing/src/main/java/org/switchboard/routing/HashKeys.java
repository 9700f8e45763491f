package org.switchboard.routing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The hash keys Synapse's load-balancing advice asks for. The access token comes from
 * {@code Authorization: Bearer} or the (deprecated, still used) {@code access_token} query
 * parameter; Synapse's own {@code syt_<base64 localpart>_<random>_<crc>} tokens carry the user,
 * so every device of a user shares a key without any lookup.
 */
public final class HashKeys {
    private static final String BEARER = "Bearer ";
    private static final String SYNAPSE_TOKEN_PREFIX = "syt_";
    private static final String ROOMS_SEGMENT = "/rooms/";

    /** The user of a {@code syt_} token, else the whole token, else the client address. */
    public static final HashKeyExtractor USER = user(TokenUsers.NONE);
    /** The whole access token, else the client address. */
    public static final HashKeyExtractor TOKEN = HashKeys::tokenHash;
    /** The path segment after {@code /rooms/}, percent-decoded; else the client address. */
    public static final HashKeyExtractor ROOM = HashKeys::roomHash;
    /** The client address (inbound federation: one remote server, one process). */
    public static final HashKeyExtractor SOURCE = HashKeys::sourceHash;
    /**
     * The same key for every request: all go to one endpoint while it is available, then all to
     * the same next one (Synapse wants every step of every SSO login on one process).
     */
    public static final HashKeyExtractor SINGLE = request -> 0x5353_4f00_0000_0001L;

    private HashKeys() {
    }

    /**
     * The user of a {@code syt_} token; for other tokens the user {@code users} already knows
     * (so every device of a MAS user shares a key once looked up), else the whole token; else
     * the client address.
     */
    public static HashKeyExtractor user(TokenUsers users) {
        return request -> userHash(request, users);
    }

    public static HashKeyExtractor header(String name) {
        return request -> {
            String value = request.header(name);
            return value != null ? Hashing.hash(value) : sourceHash(request);
        };
    }

    static long userHash(RequestView request, TokenUsers users) {
        String authorization = request.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return tokenUserHash(authorization, BEARER.length(), authorization.length(), users);
        }
        String query = request.query();
        if (query != null) {
            String token = QueryParams.decodedValue(query, "access_token");
            if (token != null) {
                return tokenUserHash(token, 0, token.length(), users);
            }
        }
        return sourceHash(request);
    }

    /**
     * For {@code syt_<localpart>_...}: the localpart segment; for any other token: its known
     * user, else all of it.
     */
    private static long tokenUserHash(String text, int from, int to, TokenUsers users) {
        while (from < to && text.charAt(from) == ' ') {
            from++;
        }
        if (text.startsWith(SYNAPSE_TOKEN_PREFIX, from)) {
            int start = from + SYNAPSE_TOKEN_PREFIX.length();
            int end = text.indexOf('_', start);
            if (end > start && end < to) {
                return userKey(text, start, end);
            }
        }
        if (users != TokenUsers.NONE) {
            String user = users.userOf(from == 0 && to == text.length() ? text : text.substring(from, to));
            if (user != null) {
                String encoded = encodedLocalpart(user);
                if (encoded != null) {
                    return userKey(encoded, 0, encoded.length());
                }
            }
        }
        return Hashing.hash(text, from, to);
    }

    /** Prefixed so a user never collides with a token that happens to equal a localpart. */
    private static long userKey(String text, int from, int to) {
        return Hashing.mix(Hashing.hash(text, from, to) ^ 0x7573657200000000L);
    }

    /**
     * A user id's localpart as Synapse writes it into {@code syt_} tokens (unpadded base64), so a
     * user's looked-up tokens and Synapse tokens share one key.
     */
    static String encodedLocalpart(String userId) {
        int colon = userId.indexOf(':');
        if (!userId.startsWith("@") || colon < 2) {
            return null;
        }
        byte[] localpart = userId.substring(1, colon).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().withoutPadding().encodeToString(localpart);
    }

    static long tokenHash(RequestView request) {
        String authorization = request.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Hashing.hash(authorization, BEARER.length(), authorization.length());
        }
        String query = request.query();
        String token = query == null ? null : QueryParams.decodedValue(query, "access_token");
        return token != null ? Hashing.hash(token) : sourceHash(request);
    }

    static long roomHash(RequestView request) {
        String path = request.path();
        int rooms = path.indexOf(ROOMS_SEGMENT);
        if (rooms >= 0) {
            int start = rooms + ROOMS_SEGMENT.length();
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end > start) {
                return Hashing.hashPercentDecoded(path, start, end);
            }
        }
        return sourceHash(request);
    }

    static long sourceHash(RequestView request) {
        String address = request.clientAddress();
        return address == null ? 0 : Hashing.hash(address);
    }
}
