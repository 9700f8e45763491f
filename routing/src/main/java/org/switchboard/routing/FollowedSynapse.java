package org.switchboard.routing;

import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.SynapseVersion;

/**
 * The Synapse release the built-in table follows and how it is known: routes whose workers
 * came later than it go to main until it moves. An unknown release holds nothing back: the
 * table is followed as of its own release (the choice for a Synapse that does not say, see
 * the README's "Following the Synapse version").
 *
 * @param version the release, or null when unknown
 * @param source  how it is known, for people: {@code synapse.version}, {@code reported by ...},
 *                or why it is not known
 */
public record FollowedSynapse(SynapseVersion version, String source) {
    /** With nothing learnt: what a pinned {@code synapse.version} says, else unknown (auto, not asked yet). */
    public static FollowedSynapse of(SwitchboardSpec spec) {
        SynapseVersion pinned = spec.synapse().release();
        return pinned != null ? pinned(pinned) : unknown("auto, not asked yet");
    }

    public static FollowedSynapse pinned(SynapseVersion version) {
        return new FollowedSynapse(version, "synapse.version");
    }

    public static FollowedSynapse unknown(String why) {
        return new FollowedSynapse(null, why);
    }

    public boolean known() {
        return version != null;
    }

    /** "1.67.0 (synapse.version)", "unknown (...): the table as of v1.157.1". */
    public String describe(SynapsePreset preset) {
        return known() ? version + " (" + source + ")"
                : "unknown (" + source + "): the table as of Synapse " + preset.newest();
    }
}
