package org.switchboard.config;

/**
 * {@code synapse:} what the built-in table knows of the Synapse it fronts.
 *
 * @param version {@code auto} (the default): the proxy asks the Synapse processes themselves
 *                (GET /_matrix/federation/v1/version) and follows the oldest release they
 *                report; or a release such as {@code 1.67.0}, pinned
 */
public record SynapseSpec(String version) {
    public static final String AUTO_VERSION = "auto";
    public static final SynapseSpec AUTO = new SynapseSpec(AUTO_VERSION);

    public SynapseSpec {
        if (!AUTO_VERSION.equals(version) && SynapseVersion.parse(version) == null) {
            throw new IllegalArgumentException("not auto or a release: " + version);
        }
        version = AUTO_VERSION.equals(version) ? version : SynapseVersion.parse(version).toString();
    }

    public static SynapseSpec pinned(SynapseVersion release) {
        return new SynapseSpec(release.toString());
    }

    public boolean auto() {
        return AUTO_VERSION.equals(version);
    }

    /** The pinned release, or null with {@code auto}. */
    public SynapseVersion release() {
        return auto() ? null : SynapseVersion.parse(version);
    }
}
