package org.switchboard.config;

import java.util.Locale;

/** How an upstream picks an endpoint; written in config in lower case ({@code ring_hash}). */
public enum LoadBalancerKind {
    ROUND_ROBIN, LEAST_REQUEST, RING_HASH;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named in config, or null for an unknown name. */
    public static LoadBalancerKind fromConfigName(String text) {
        for (LoadBalancerKind kind : values()) {
            if (kind.configName().equals(text)) {
                return kind;
            }
        }
        return null;
    }
}
