package org.switchboard.config;

/** The admin listener (/live, /ready). Keep it on loopback or a pod-internal address. */
public record AdminSpec(HostPort address) {
    public static final HostPort DEFAULT_ADDRESS = HostPort.of("127.0.0.1", 9901);

    public static AdminSpec of(HostPort address) {
        return new AdminSpec(address);
    }
}
