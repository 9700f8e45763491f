package org.switchboard.systemtest.support.k8s;

import java.util.List;

/**
 * What a test checks whether or not kubectl can render the overlays: every rendered tier when it can, otherwise the
 * base alone as {@link BaseManifests} reads it (tier {@code base}). Resolved by {@link RenderedStackExtension}; a test
 * taking this instead of a {@link Stack} is never skipped, so checks that hold in the base run on every machine.
 *
 * @param rendered whether the tiers are kubectl's renderings of the overlays (false: the base read without kubectl)
 */
public record Tiers(List<RenderedTier> tiers, boolean rendered) {

    public Tiers {
        tiers = List.copyOf(tiers);
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("no tiers");
        }
    }
}
