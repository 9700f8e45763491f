package org.switchboard.health;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.switchboard.config.SynapseVersion;

/**
 * Reads the answer to {@code GET /_matrix/federation/v1/version}:
 * {@code {"server":{"name":"Synapse","version":"1.67.0"}}}. Only Synapse's release counts: another
 * homeserver's version says nothing about which worker serves what.
 */
public final class FederationVersion {
    /** The answer is one small object of strings; these find its two fields without a JSON library. */
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"\\\\]*)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"\\\\]*)\"");

    private FederationVersion() {
    }

    /** The Synapse release the answer reports, or null when it is not Synapse's or names no release. */
    public static SynapseVersion synapseRelease(String body) {
        if (body == null || !body.contains("\"server\"")) {
            return null;
        }
        Matcher name = NAME.matcher(body);
        Matcher version = VERSION.matcher(body);
        if (!name.find() || !name.group(1).equals("Synapse") || !version.find()) {
            return null;
        }
        return SynapseVersion.parseReported(version.group(1));
    }
}
