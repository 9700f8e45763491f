package org.switchboard.config;

import java.util.List;

/**
 * The admin listener. Its read-only endpoints (probes, metrics, status, config) answer anyone who
 * can reach it; its actions ({@code POST /reload}) answer only a peer in {@code allow} or a
 * request bearing the token kept in {@code tokenFile}, since Kubernetes probes and Prometheus need
 * the listener reachable from the cluster network.
 *
 * @param address   where it listens
 * @param allow     the peers that may use actions; 127.0.0.1 and ::1 unless configured (not all of
 *                  127/8: a service-mesh sidecar hands on every caller from 127.0.0.6)
 * @param tokenFile a file whose content (trimmed) is a bearer token that may use actions from
 *                  anywhere, or null for none; read at start and at each reload
 */
public record AdminSpec(HostPort address, List<Cidr> allow, String tokenFile) {
    public static final HostPort DEFAULT_ADDRESS = HostPort.of("127.0.0.1", 9901);
    public static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128"));

    public AdminSpec {
        allow = List.copyOf(allow);
    }

    public static AdminSpec of(HostPort address) {
        return new AdminSpec(address, LOOPBACK, null);
    }

    /**
     * What to warn of when no peer may use the actions (an empty {@code allow} and no token): maybe
     * meant, maybe not, and nothing else would say it; null when some peer may.
     */
    public String actionsLockedOut() {
        return allow.isEmpty() && tokenFile == null
                ? "admin.allow is empty and admin.tokenFile is not set: POST /reload and POST /drain are refused to"
                        + " everyone (a change of the file still reloads, SIGTERM still drains)"
                : null;
    }

    /** Whether a peer address (4 or 16 bytes, mapped IPv6 folded) may use actions without the token. */
    public boolean allows(byte[] peer) {
        for (Cidr cidr : allow) {
            if (cidr.contains(peer)) {
                return true;
            }
        }
        return false;
    }
}
