package org.switchboard.config;

import java.util.List;

/**
 * A config that cannot be used, with every reason found rather than only the first, so one
 * edit-and-retry round fixes them all.
 */
public final class ConfigException extends Exception {
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("\n", errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Each error as {@code <location>: <what was found> (<expected form>)}, in document order. */
    public List<String> errors() {
        return errors;
    }
}
