package org.switchboard.config;

/** Binds the sections that are one choice each ({@code logging.format}, {@code clientHalfClose}), part of {@link SpecBinder}. */
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
}
