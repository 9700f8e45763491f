package org.switchboard.config;

import java.util.List;

/**
 * {@code - preset: synapse}: the built-in table, expanded at this position of the routes.
 *
 * @param host the host its routes match ({@code matrix.example.com}, {@code *.example.com}), or null for any
 */
public record PresetSpec(String location, String name, String host) implements RouteEntrySpec {
    public PresetSpec(String location, String name) {
        this(location, name, null);
    }

    public static final String SYNAPSE = "synapse";

    /** The roles of the built-in Synapse table; each is served by the upstream of its name. */
    public static final List<String> SYNAPSE_ROLES = List.of(
            "main", "synchrotron", "initial_synchrotron", "generic", "media", "federation_reader",
            "typing", "to_device", "account_data", "receipts", "presence", "push_rules", "sso_login");

    public static PresetSpec synapse(String location) {
        return new PresetSpec(location, SYNAPSE);
    }
}
