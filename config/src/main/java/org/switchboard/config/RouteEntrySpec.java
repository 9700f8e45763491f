package org.switchboard.config;

/** One entry of the ordered {@code routes} list: a route, or a preset expanded in its place. */
public sealed interface RouteEntrySpec permits RouteSpec, PresetSpec {

    /** Where it was written ({@code routes[3]}), for messages about it. */
    String location();
}
