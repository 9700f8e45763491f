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

    /**
     * One row of the table.
     *
     * @param group       a short name; the route is called {@code synapse/<group>}
     * @param role        the role whose upstream serves it
     * @param initialSync only initial syncs match (see {@link Route#initialSyncOnly()})
     */
    public record Entry(String group, String role, Set<String> methods, PathMatchSpec path, String hashKey,
                        boolean initialSync) {
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
            List<Entry> entries = new ArrayList<>();
            for (Object item : (List<?>) document.get("routes")) {
                entries.add(entry((Map<?, ?>) item));
            }
            return new SynapsePreset(String.valueOf(document.get("synapseVersion")),
                    String.valueOf(document.get("synapseCommit")), List.copyOf(entries));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Entry entry(Map<?, ?> row) {
        String group = (String) row.get("group");
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
        return new Entry(group, (String) row.get("role"), methods, path, (String) row.get("hashKey"),
                Boolean.TRUE.equals(row.get("initialSync")));
    }
}
