package org.switchboard.proxy.server;

import java.util.Locale;
import org.switchboard.config.Durations;
import org.switchboard.config.LimitsSpec;
import org.switchboard.config.SwitchboardSpec;
import org.switchboard.config.TimeoutsSpec;

/**
 * Every limit and timeout in force, for the start and reload log lines: an operator reading why
 * a client got 413 or 408 finds the number in the log rather than guessing the default.
 */
final class EffectiveSettings {
    private EffectiveSettings() {
    }

    static String of(SwitchboardSpec spec) {
        StringBuilder line = new StringBuilder(512);
        LimitsSpec limits = spec.limits();
        line.append("limits: requestTarget=").append(limits.requestTarget()).append("B requestHeaders=")
                .append(limits.requestHeaders()).append("B requestBody=").append(limits.requestBody())
                .append("B mediaUploadBody=").append(limits.mediaUploadBody()).append("B connectionsPerListener=")
                .append(limits.connectionsPerListener()).append(" connectionsPerClient=")
                .append(limits.connectionsPerClient() == 0 ? "unlimited" : String.valueOf(limits.connectionsPerClient()))
                .append(" rateLimitAddresses=").append(limits.rateLimitAddresses());
        TimeoutsSpec timeouts = spec.timeouts();
        line.append("; timeouts: connect=").append(Durations.format(timeouts.connect()))
                .append(" upstreamResponse=").append(Durations.format(timeouts.upstreamResponse()))
                .append(" downstreamIdle=").append(Durations.format(timeouts.downstreamIdle()))
                .append(" requestHeader=").append(Durations.format(timeouts.requestHeader()))
                .append(" requestBody=").append(Durations.format(timeouts.requestBody()))
                .append(" websocketIdle=").append(Durations.format(timeouts.websocketIdle()))
                .append("; drain: delay=").append(Durations.format(spec.drain().delay()))
                .append(" timeout=").append(Durations.format(spec.drain().timeout()))
                .append(" websocketSpread=").append(Durations.format(spec.drain().websocketSpread()))
                .append("; upstreamPool: maxIdlePerEndpoint=").append(spec.upstreamPool().maxIdlePerEndpoint())
                .append(" idleTimeout=").append(Durations.format(spec.upstreamPool().idleTimeout()))
                .append("; clientHalfClose=").append(spec.clientHalfClose().configName())
                .append(" logging.format=").append(spec.logging().format().name().toLowerCase(Locale.ROOT))
                .append(" trustedProxies=").append(spec.clientAddress().trustedProxies())
                .append(" admin.allow=").append(spec.admin().allow())
                .append(" admin.token=").append(spec.admin().tokenFile() == null ? "none" : "from " + spec.admin().tokenFile());
        return line.toString();
    }
}
