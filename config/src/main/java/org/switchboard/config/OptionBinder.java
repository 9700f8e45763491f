package org.switchboard.config;

/**
 * Binds the sections that are one choice each ({@code logging.format}, {@code clientHalfClose},
 * {@code synapse.version}), part of {@link SpecBinder}.
 */
final class OptionBinder {
    private OptionBinder() {
    }

    static LoggingSpec logging(Node node) {
        if (node.isAbsent()) {
            return LoggingSpec.DEFAULTS;
        }
        if (!node.expectMap("format")) {
            return null;
        }
        Node format = node.field("format");
        if (format.isAbsent()) {
            return LoggingSpec.DEFAULTS;
        }
        String text = format.string("expected one of: text, json");
        if ("text".equals(text)) {
            return LoggingSpec.DEFAULTS;
        }
        if ("json".equals(text)) {
            return new LoggingSpec(LoggingSpec.Format.JSON);
        }
        if (text != null) {
            format.fail("expected one of: text, json");
        }
        return null;
    }

    static ClientHalfClose clientHalfClose(Node node) {
        if (node.isAbsent()) {
            return ClientHalfClose.ABANDON;
        }
        String text = node.string("expected one of: abandon, wait");
        for (ClientHalfClose value : ClientHalfClose.values()) {
            if (value.configName().equals(text)) {
                return value;
            }
        }
        if (text != null) {
            node.fail("expected one of: abandon, wait");
        }
        return null;
    }

    /** {@code synapse: {version: auto | "1.67.0"}}; auto when absent. */
    static SynapseSpec synapse(Node node) {
        if (node.isAbsent()) {
            return SynapseSpec.AUTO;
        }
        if (!node.expectMap("version")) {
            return null;
        }
        Node version = node.field("version");
        if (version.isAbsent()) {
            return SynapseSpec.AUTO;
        }
        String expected = "expected auto, or a Synapse release such as \"1.67.0\"";
        // An unquoted 1.67 is a YAML number: reported as written, with the same advice.
        String text = version.string(expected);
        if (text == null) {
            return null;
        }
        if (text.equals("auto")) {
            return SynapseSpec.AUTO;
        }
        SynapseVersion release = SynapseVersion.parse(text);
        if (release == null) {
            version.fail(expected);
            return null;
        }
        return SynapseSpec.pinned(release);
    }
}
