package org.switchboard.proxy.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.switchboard.routing.SynapsePreset;

/** Switchboard's own version (from the build) and the Synapse release its built-in table follows. */
public final class Version {
    public static final String SWITCHBOARD = read();

    private Version() {
    }

    /** "v1.157.1 (docs/workers.md at a58ad44...)": what {@code --print-routes} derives the table from. */
    static String synapse() {
        SynapsePreset preset = SynapsePreset.builtIn();
        return preset.synapseVersion() + " (docs/workers.md at " + preset.synapseCommit() + ")";
    }

    /** The line {@code --version} prints. */
    public static String line() {
        return "Switchboard " + SWITCHBOARD + "; built-in route table follows Synapse " + synapse();
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String version = properties.getProperty("version", "unknown");
            // Unfiltered (run from an IDE without the build): say so rather than print a placeholder.
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
