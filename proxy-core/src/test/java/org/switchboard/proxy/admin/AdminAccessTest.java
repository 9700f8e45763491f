package org.switchboard.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.config.AdminSpec;
import org.switchboard.config.Cidr;
import org.switchboard.config.HostPort;

/** Actions: a peer in admin.allow, or the bearer token from admin.tokenFile; nothing else. */
class AdminAccessTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final byte[] POD = {10, 42, 3, 4};
    private static final byte[] OTHER_POD = {10, 43, 3, 4};

    @TempDir
    Path dir;

    @Test
    void byDefaultOnlyLoopbackPeers() {
        AdminAccess access = AdminAccess.of(AdminSpec.of(HostPort.of("0.0.0.0", 9901)));

        assertTrue(access.permits(LOOPBACK, null));
        assertTrue(access.permits(Cidr.IpLiterals.parse("::1"), null));
        assertTrue(access.permits(Cidr.IpLiterals.parse("::ffff:127.0.0.1"), null), "an IPv4-mapped peer is folded");
        assertFalse(access.permits(POD, null));
        assertFalse(access.permits(new byte[] {127, 0, 0, 6}, null), "a service-mesh sidecar hands on every caller from 127.0.0.6");
        assertFalse(access.permits(POD, "Bearer anything"), "no token file: no token works");
    }

    @Test
    void aListedPeerOrTheTokenAndNothingElse() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
        AdminAccess access = AdminAccess.of(new AdminSpec(HostPort.of("0.0.0.0", 9901), List.of(Cidr.parse("10.42.0.0/16")),
                token.toString()));

        assertTrue(access.permits(POD, null));
        assertFalse(access.permits(LOOPBACK, null), "when allow is set, loopback is not implied");
        assertFalse(access.permits(OTHER_POD, null));
        assertTrue(access.permits(OTHER_POD, "Bearer s3cret-token"));
        assertTrue(access.permits(OTHER_POD, "bearer s3cret-token"), "the scheme is case-insensitive");
        assertFalse(access.permits(OTHER_POD, "Bearer s3cret-toke"));
        assertFalse(access.permits(OTHER_POD, "Bearer s3cret-token-and-more"));
        assertFalse(access.permits(OTHER_POD, "Basic czNjcmV0LXRva2Vu"));
        assertFalse(access.permits(OTHER_POD, "Bearer "));
    }

    @Test
    void anUnreadableTokenFileIsNamed() {
        Path missing = dir.resolve("missing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdminAccess.of(
                new AdminSpec(HostPort.of("127.0.0.1", 9901), AdminSpec.LOOPBACK, missing.toString())));

        assertEquals("admin.tokenFile: \"" + missing + "\" (cannot be read: no such file)", e.getMessage());
    }
}
