package org.switchboard.config;

import java.util.List;

/**
 * Whose forwarding headers are believed. From any other peer, every forwarding header is
 * replaced by what the proxy itself saw.
 *
 * @param trustedProxies peers (load balancers, other proxies) allowed to say who the client is
 */
public record ClientAddressSpec(List<Cidr> trustedProxies) {
    public static final ClientAddressSpec DEFAULTS = new ClientAddressSpec(List.of());

    public ClientAddressSpec {
        trustedProxies = List.copyOf(trustedProxies);
    }

    public boolean trusts(byte[] address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
