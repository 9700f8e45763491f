package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code synapse: {version: auto | "1.67.0"}}: auto by default, a pinned release, located mistakes. */
class SynapseConfigTest {
    private static final String BASE = """
            listeners: [{name: client, address: "0.0.0.0:8080"}]
            upstreams: {main: {endpoints: ["10.0.1.10:8008"]}}
            """;

    @Test
    void autoUnlessSaidOtherwise() throws ConfigException {
        assertTrue(ConfigLoader.parse(BASE, "t.yaml").synapse().auto());
        assertTrue(ConfigLoader.parse(BASE + "synapse: {}\n", "t.yaml").synapse().auto());
        assertTrue(ConfigLoader.parse(BASE + "synapse: {version: auto}\n", "t.yaml").synapse().auto());
    }

    @ParameterizedTest
    @CsvSource({"'\"1.67.0\"', 1.67.0", "v1.157.1, 1.157.1", "1.67.0, 1.67.0"})
    void aPinnedRelease(String written, String expected) throws ConfigException {
        SynapseSpec synapse = ConfigLoader.parse(BASE + "synapse: {version: " + written + "}\n", "t.yaml").synapse();

        assertEquals(SynapseVersion.parse(expected), synapse.release());
        assertEquals(expected, synapse.version());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "synapse: {version: 1.67}          | synapse.version: 1.67 (expected auto, or a Synapse release such as \"1.67.0\")",
            "synapse: {version: \"1.67\"}      | synapse.version: \"1.67\" (expected auto, or a Synapse release such as \"1.67.0\")",
            "synapse: {version: latest}        | synapse.version: \"latest\" (expected auto, or a Synapse release such as \"1.67.0\")",
            "synapse: {version: \"1.68.0rc1\"} | synapse.version: \"1.68.0rc1\" (expected auto, or a Synapse release such as \"1.67.0\")",
            "synapse: {versoin: auto}          | synapse.versoin: unknown key (expected one of: version)",
            "synapse: auto                     | synapse: \"auto\" (expected a map with keys: version)"})
    void mistakesAreLocated(String yaml, String error) {
        List<String> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(BASE + yaml + "\n", "t.yaml"))
                .errors();

        assertEquals(List.of(error), errors);
    }
}
