package org.switchboard.proxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.switchboard.config.DrainSpec;
import org.switchboard.config.LimitsSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;
import org.switchboard.config.UpstreamPoolSpec;

/** The start line names every limit and timeout: a new one added without a place in it fails here. */
class EffectiveSettingsTest {
    @Test
    void everyLimitAndTimeoutIsOnTheLine() {
        String line = EffectiveSettings.of(SwitchboardSpec.singleSynapseDefault());

        Stream.of(LimitsSpec.class, TimeoutsSpec.class, UpstreamPoolSpec.class, DrainSpec.class)
                .flatMap(type -> Stream.of(type.getRecordComponents()))
                .map(RecordComponent::getName)
                .forEach(name -> assertTrue(line.contains(" " + name + "=") || line.contains(": " + name + "="),
                        name + " missing from: " + line));
        assertTrue(line.contains("requestBody=33554432B") && line.contains("upstreamResponse=3m")
                && line.contains("connectionsPerClient=unlimited") && line.contains("clientHalfClose=abandon"), line);
        assertTrue(!line.contains("\n"), line);
    }
}
