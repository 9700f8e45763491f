package org.switchboard.proxy.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.switchboard.config.AdminSpec;
import org.switchboard.config.Cidr;
import org.switchboard.config.Preflight;

/**
 * Who may use the admin listener's actions: a peer in {@code admin.allow}, or a request bearing
 * {@code Authorization: Bearer <the token in admin.tokenFile>}. Built at start and at each reload
 * (reading the token file then, never on an event loop); immutable.
 */
public final class AdminAccess {
    private static final String BEARER = "Bearer ";

    private final AdminSpec spec;
    /** SHA-256 of the token, or null: comparing digests takes the same time whatever is presented. */
    private final byte[] tokenDigest;

    private AdminAccess(AdminSpec spec, byte[] tokenDigest) {
        this.spec = spec;
        this.tokenDigest = tokenDigest;
    }

    /**
     * Reads {@code admin.tokenFile} if set.
     *
     * @throws IllegalArgumentException naming the file and the cause, if it cannot be read
     */
    public static AdminAccess of(AdminSpec spec) {
        if (spec.tokenFile() == null) {
            return new AdminAccess(spec, null);
        }
        try {
            return new AdminAccess(spec, sha256(Preflight.readToken(spec.tokenFile())));
        } catch (IOException e) {
            throw new IllegalArgumentException("admin.tokenFile: \"" + spec.tokenFile() + "\" (" + e.getMessage() + ")");
        }
    }

    /**
     * @param peer          the connection's address, 4 or 16 bytes
     * @param authorization the Authorization header, or null
     */
    public boolean permits(byte[] peer, String authorization) {
        if (spec.allows(Cidr.IpLiterals.foldMapped(peer))) {
            return true;
        }
        if (tokenDigest == null || authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(tokenDigest, sha256(presented));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
