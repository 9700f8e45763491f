package org.switchboard.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.switchboard.config.PathMatchSpec;
import org.switchboard.config.SynapseVersion;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The built-in Synapse route table ({@code - preset: synapse}), read from
 * {@code synapse-preset.yaml}: derived from Synapse's docs/workers.md, so following a new
 * Synapse release is a change of that data file, not of code.
 */
public record SynapsePreset(String synapseVersion, String synapseCommit, List<Entry> routes) {
    static final String RESOURCE = "synapse-preset.yaml";
    private static final Set<String> KEYS =
            Set.of("group", "role", "methods", "regex", "prefix", "docs", "since", "hashKey", "initialSync");

    /**
     * One row of the table.
     *
     * @param group       a short name; the route is called {@code synapse/<group>}
     * @param role        the role whose upstream serves it
     * @param initialSync only initial syncs match (see {@link Route#initialSyncOnly()})
     * @param since       the first Synapse release whose workers serve everything the route
     *                    matches; null for main's own routes (main serves everything)
     */
    public record Entry(String group, String role, Set<String> methods, PathMatchSpec path, String hashKey,
                        boolean initialSync, SynapseVersion since) {
        /** Whether a Synapse of {@code version} has workers that serve this route (null: assume so). */
        public boolean servedBy(SynapseVersion version) {
            return since == null || version == null || !version.isOlderThan(since);
        }
    }

    /** The release the table follows, as a version. */
    public SynapseVersion newest() {
        return SynapseVersion.parse(synapseVersion);
    }

    /** The table shipped in this jar; loaded once (it is immutable). */
    public static SynapsePreset builtIn() {
        return Holder.BUILT_IN;
    }

    private static final class Holder {
        static final SynapsePreset BUILT_IN = load();
    }

    static SynapsePreset load() {
        try (InputStream in = SynapsePreset.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            Map<?, ?> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            String version = String.valueOf(document.get("synapseVersion"));
            SynapseVersion newest = SynapseVersion.parse(version);
            if (newest == null) {
                throw new IllegalStateException(RESOURCE + ": synapseVersion " + version + " is not a release");
            }
            List<Entry> entries = new ArrayList<>();
            for (Object item : (List<?>) document.get("routes")) {
                entries.add(entry((Map<?, ?>) item, newest));
            }
            return new SynapsePreset(version, String.valueOf(document.get("synapseCommit")), List.copyOf(entries));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Entry entry(Map<?, ?> row, SynapseVersion newest) {
        String group = (String) row.get("group");
        for (Object key : row.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalStateException(RESOURCE + ": route " + group + " has an unknown key " + key);
            }
        }
        Object regex = row.get("regex");
        Object prefix = row.get("prefix");
        if ((regex == null) == (prefix == null)) {
            throw new IllegalStateException(RESOURCE + ": route " + group + " needs exactly one of regex, prefix");
        }
        Set<String> methods = new LinkedHashSet<>();
        if (row.get("methods") instanceof List<?> list) {
            list.forEach(method -> methods.add((String) method));
        }
        PathMatchSpec path = regex != null ? PathMatchSpec.regex((String) regex) : PathMatchSpec.prefix((String) prefix);
        String role = (String) row.get("role");
        return new Entry(group, role, methods, path, (String) row.get("hashKey"),
                Boolean.TRUE.equals(row.get("initialSync")), since(row.get("since"), group, role, newest));
    }

    /** Every worker route says since when; main's own need not, as main serves everything. */
    private static SynapseVersion since(Object value, String group, String role, SynapseVersion newest) {
        if (value == null) {
            if (!"main".equals(role)) {
                throw new IllegalStateException(RESOURCE + ": route " + group + " (role " + role + ") has no since");
            }
            return null;
        }
        SynapseVersion since = SynapseVersion.parse(String.valueOf(value));
        if (since == null || newest.isOlderThan(since)) {
            throw new IllegalStateException(RESOURCE + ": route " + group + " has since " + value
                    + " (expected a release up to " + newest + ")");
        }
        return since;
    }
}
