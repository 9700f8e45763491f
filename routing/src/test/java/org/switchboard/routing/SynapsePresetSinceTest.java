package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.config.SynapseVersion;

/**
 * The table's {@code since} data: every worker route has one, none is newer than the table, and
 * the releases Synapse's history gives for the endpoints that moved to workers late stay as
 * derived (routing/tools/SynapseSince.java; checked against register_servlets).
 */
class SynapsePresetSinceTest {
    private final SynapsePreset preset = SynapsePreset.builtIn();

    @Test
    void everyWorkerRouteSaysSinceWhenAndNoneIsNewerThanTheTable() {
        SynapseVersion newest = preset.newest();
        assertNotNull(newest);
        for (SynapsePreset.Entry entry : preset.routes()) {
            if (entry.role().equals("main")) {
                assertNull(entry.since(), entry.group());
            } else {
                assertNotNull(entry.since(), entry.group() + " " + entry.path());
                assertFalse(newest.isOlderThan(entry.since()), entry.group() + " " + entry.path());
            }
        }
    }

    @ParameterizedTest(name = "{0} since {1}")
    @CsvSource(delimiterString = " since ", textBlock = """
            ^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/[^/]*/typing/[^/]*$ since 1.18.0
            ^/_matrix/client/(r0|v3|unstable)/sendToDevice/ since 1.26.0
            ^/_matrix/client/(r0|v3)/sync$ since 1.18.0
            ^/_matrix/client/unstable/org.matrix.simplified_msc3575/sync$ since 1.110.0
            /_matrix/client/v1/media/ since 1.111.0
            ^/_matrix/federation/v1/version$ since 1.130.0
            ^/_matrix/client/(r0|v3|unstable)/user/.*/filter(/|$) since 1.79.0
            ^/_matrix/client/(r0|v3|unstable)/register/available$ since 1.80.0
            ^/_matrix/client/(r0|v3|unstable)/capabilities$ since 1.82.0
            ^/_matrix/client/(api/v1|r0|v3|unstable)/directory/room/.*$ since 1.82.0
            ^/_matrix/client/(r0|v3|unstable)/notifications$ since 1.93.0
            ^/_matrix/client/(api/v1|r0|v3|unstable)/devices(/|$) since 1.130.0
            ^/_matrix/client/(r0|v3)/delete_devices$ since 1.135.0
            ^/_matrix/client/(api/v1|r0|v3|unstable)/pushrules/ since 1.105.0
            """)
    void sinceAsSynapseHistoryGivesIt(String path, String since) {
        SynapsePreset.Entry entry = preset.routes().stream().filter(e -> e.path().value().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no route " + path));
        assertEquals(SynapseVersion.parse(since), entry.since(), path);
    }
}
