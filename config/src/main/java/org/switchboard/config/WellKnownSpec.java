package org.switchboard.config;

import java.util.List;

/**
 * The Matrix {@code /.well-known/matrix/*} documents Switchboard answers itself, as compact JSON
 * text (null for a document not configured).
 *
 * @param hosts   the hosts they are answered on (lower case), empty for every host
 * @param client  {@code /.well-known/matrix/client}
 * @param server  {@code /.well-known/matrix/server}
 * @param support {@code /.well-known/matrix/support}
 */
public record WellKnownSpec(List<String> hosts, String client, String server, String support) {
    public static final String PATH_PREFIX = "/.well-known/matrix/";

    public WellKnownSpec {
        hosts = List.copyOf(hosts);
    }
}
