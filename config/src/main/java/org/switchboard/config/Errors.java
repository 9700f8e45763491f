package org.switchboard.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects located errors while binding, so validation goes on past the first problem.
 * Binders compare {@link #count()} before and after a part to know whether that part is usable.
 */
final class Errors {
    private final List<String> messages = new ArrayList<>();

    void add(String location, String found, String expected) {
        messages.add(location + ": " + found + " (" + expected + ")");
    }

    /** Errors already located, as {@link FileChecks} gives them. */
    void addLocated(List<String> located) {
        messages.addAll(located);
    }

    int count() {
        return messages.size();
    }

    boolean noneSince(int mark) {
        return messages.size() == mark;
    }

    void throwIfAny() throws ConfigException {
        if (!messages.isEmpty()) {
            throw new ConfigException(messages);
        }
    }
}
