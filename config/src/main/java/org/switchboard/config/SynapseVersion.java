package org.switchboard.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Synapse release, {@code major.minor.patch}: what a route of the built-in table needs
 * ({@code since}), what {@code synapse.version} pins, what Synapse reports about itself.
 * Ordered by release.
 */
public record SynapseVersion(int major, int minor, int patch) implements Comparable<SynapseVersion> {
    /** {@code 1.67.0}, {@code v1.67.0}; what Synapse reports may go on ({@code 1.68.0rc1}, {@code 1.67.0 (b=develop,...)}). */
    private static final Pattern RELEASE = Pattern.compile("v?(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})");

    public SynapseVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("negative version part");
        }
    }

    /** Exactly {@code 1.67.0} or {@code v1.67.0}; null if {@code text} is not that. */
    public static SynapseVersion parse(String text) {
        Matcher m = text == null ? null : RELEASE.matcher(text.strip());
        return m != null && m.matches() ? of(m) : null;
    }

    /**
     * The release a Synapse server reports ({@code server.version} of
     * {@code /_matrix/federation/v1/version}): its leading {@code major.minor.patch}, so a
     * release candidate or a build from git counts as the release it leads to. Null if none.
     */
    public static SynapseVersion parseReported(String text) {
        Matcher m = text == null ? null : RELEASE.matcher(text.strip());
        return m != null && m.lookingAt() ? of(m) : null;
    }

    private static SynapseVersion of(Matcher m) {
        return new SynapseVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    public boolean isOlderThan(SynapseVersion other) {
        return compareTo(other) < 0;
    }

    @Override
    public int compareTo(SynapseVersion other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        return c != 0 ? c : Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
