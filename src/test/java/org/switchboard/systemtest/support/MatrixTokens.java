package org.switchboard.systemtest.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Access tokens shaped as Synapse makes them. */
public final class MatrixTokens {
    private MatrixTokens() {
    }

    /** {@code syt_<unpadded base64 localpart>_<random>_<crc>}. */
    public static String syt(String localpart, String random) {
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(localpart.getBytes(StandardCharsets.UTF_8));
        return "syt_" + encoded + "_" + random + "_1a2b3c";
    }
}
