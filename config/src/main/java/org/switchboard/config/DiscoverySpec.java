package org.switchboard.config;

import java.time.Duration;
import java.util.List;

/**
 * How upstreams with {@code dns:} are looked up: {@code discovery: {nameservers: ["10.96.0.10:53"],
 * queryTimeout: 2s}}.
 *
 * @param nameservers the DNS servers to ask; empty means those of /etc/resolv.conf
 */
public record DiscoverySpec(List<HostPort> nameservers, Duration queryTimeout) {
    public static final DiscoverySpec DEFAULTS = new DiscoverySpec(List.of(), Duration.ofSeconds(2));

    public DiscoverySpec {
        nameservers = List.copyOf(nameservers);
    }
}
