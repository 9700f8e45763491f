package org.switchboard.routing;

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
    public static final HashKeyExtractor USER = HashKeys::userHash;
    /** The whole access token, else the client address. */
    public static final HashKeyExtractor TOKEN = HashKeys::tokenHash;
    /** The path segment after {@code /rooms/}, percent-decoded; else the user. */
    public static final HashKeyExtractor ROOM = HashKeys::roomHash;
    /** The client address (inbound federation: one remote server, one process). */
    public static final HashKeyExtractor SOURCE = HashKeys::sourceHash;

    private HashKeys() {
    }

    public static HashKeyExtractor header(String name) {
        return request -> {
            String value = request.header(name);
            return value != null ? Hashing.hash(value) : sourceHash(request);
        };
    }

    static long userHash(RequestView request) {
        String authorization = request.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return tokenUserHash(authorization, BEARER.length(), authorization.length());
        }
        String query = request.query();
        if (query != null) {
            String token = QueryParams.decodedValue(query, "access_token");
            if (token != null) {
                return tokenUserHash(token, 0, token.length());
            }
        }
        return sourceHash(request);
    }

    /** For {@code syt_<localpart>_...}: the localpart segment; for any other token: all of it. */
    private static long tokenUserHash(String text, int from, int to) {
        while (from < to && text.charAt(from) == ' ') {
            from++;
        }
        if (text.startsWith(SYNAPSE_TOKEN_PREFIX, from)) {
            int start = from + SYNAPSE_TOKEN_PREFIX.length();
            int end = text.indexOf('_', start);
            if (end > start && end < to) {
                // Prefixed so a user never collides with a token that happens to equal a localpart.
                return Hashing.mix(Hashing.hash(text, start, end) ^ 0x7573657200000000L);
            }
        }
        return Hashing.hash(text, from, to);
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
        return userHash(request);
    }

    static long sourceHash(RequestView request) {
        String address = request.clientAddress();
        return address == null ? 0 : Hashing.hash(address);
    }
}
