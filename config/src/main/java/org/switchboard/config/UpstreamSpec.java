package org.switchboard.config;

import java.util.List;

/** A named group of Synapse processes, e.g. {@code synchrotron}. */
public record UpstreamSpec(String name, List<EndpointSpec> endpoints) {
    public UpstreamSpec {
        endpoints = List.copyOf(endpoints);
    }

    public static UpstreamSpec of(String name, List<EndpointSpec> endpoints) {
        return new UpstreamSpec(name, endpoints);
    }
}
