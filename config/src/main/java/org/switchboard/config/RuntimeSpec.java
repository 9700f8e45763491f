package org.switchboard.config;

/** @param eventLoopThreads the event loop size; 0 means the number of available processors */
public record RuntimeSpec(int eventLoopThreads) {
    public static final RuntimeSpec DEFAULTS = new RuntimeSpec(0);

    public int effectiveEventLoopThreads() {
        return eventLoopThreads > 0 ? eventLoopThreads : Runtime.getRuntime().availableProcessors();
    }
}
