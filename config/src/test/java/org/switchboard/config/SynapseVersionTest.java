package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SynapseVersionTest {

    @ParameterizedTest
    @CsvSource({"1.67.0, 1.67.0", "v1.157.1, 1.157.1", "' 1.9.10 ', 1.9.10"})
    void parsesReleases(String text, String expected) {
        assertEquals(expected, SynapseVersion.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.67", "1", "auto", "1.67.0rc1", "1.67.x", "", "1.67.0.1", "-1.2.3"})
    void refusesWhatIsNotARelease(String text) {
        assertNull(SynapseVersion.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.67.0 | 1.67.0",
            "1.68.0rc1 | 1.68.0",
            "1.67.0 (b=develop,abc1234) | 1.67.0",
            "1.157.1 | 1.157.1"})
    void readsWhatSynapseReports(String reported, String expected) {
        assertEquals(expected, SynapseVersion.parseReported(reported).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "dendrite", "0.13", "v"})
    void reportsWithoutAReleaseGiveNull(String reported) {
        assertNull(SynapseVersion.parseReported(reported));
    }

    @ParameterizedTest
    @CsvSource({"1.67.0, 1.68.0", "1.9.0, 1.10.0", "1.99.9, 1.100.0", "1.67.0, 1.67.1", "0.99.5, 1.0.0"})
    void ordersByRelease(String older, String newer) {
        assertTrue(SynapseVersion.parse(older).isOlderThan(SynapseVersion.parse(newer)));
        assertTrue(SynapseVersion.parse(newer).compareTo(SynapseVersion.parse(older)) > 0);
    }
}
