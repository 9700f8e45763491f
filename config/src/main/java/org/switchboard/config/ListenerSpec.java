package org.switchboard.config;

/** A downstream listener: where clients connect. */
public record ListenerSpec(String name, HostPort address) {
    public static ListenerSpec of(String name, HostPort address) {
        return new ListenerSpec(name, address);
    }
}
