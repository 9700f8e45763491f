package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that would serve nothing is an error naming what was probably meant: today's
 * silent alternative is its role's traffic going to main.
 */
class UpstreamUseTest {
    private static final String BASE = """
            listeners: [{name: client, address: "0.0.0.0:8080"}]
            upstreams:
              main: {endpoints: ["10.0.1.10:8008"]}
            """;

    private static String withUpstream(String name) {
        return BASE + "  " + name + ": {endpoints: [\"10.0.2.10:8008\"]}\n";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "synchrotorn      | did you mean \"synchrotron\"?",
            "genric           | did you mean \"generic\"?",
            "federation-reader| did you mean \"federation_reader\"?",
            "synchrotrons     | did you mean \"synchrotron\"?",
            "media_workers    | did you mean \"media\"?",
            "generic_worker   | \"generic_worker\" is a Synapse worker app; the built-in table's role for it is \"generic\"",
            "media_repository | \"media_repository\" is a Synapse worker app; the built-in table's role for it is \"media\"",
            "media-repository | \"media_repository\" is a Synapse worker app; the built-in table's role for it is \"media\"",
            "client_reader    | \"client_reader\" is a Synapse worker app; the built-in table's role for it is \"generic\"",
            "federation_inbound | \"federation_inbound\" is a Synapse worker app; the built-in table's role for it is \"federation_reader\"",
            "federation_sender| \"federation_sender\" is a Synapse worker app that takes no requests from the proxy; leave it out",
            "pusher           | \"pusher\" is a Synapse worker app that takes no requests from the proxy; leave it out",
            "workers          | expected a role: main, synchrotron, initial_synchrotron, generic, media, federation_reader, typing,"
                    + " to_device, account_data, receipts, presence, push_rules, sso_login; or name it in a route or in roles:",
    })
    void anUpstreamNoOneUsesIsAnErrorWithAHint(String name, String hint) {
        assertEquals(List.of("upstreams." + name + ": not a role of the built-in table and used by no route (" + hint + ")"),
                errorsOf(withUpstream(name)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // a role of the built-in table
            "synchrotron",
            // named by a route
            "\nroutes: [{preset: synapse}, {path: {prefix: /x}, upstream: extra}]\n",
            // named by roles:
            "\nroles: {media: extra}\n",
    })
    void anUpstreamSomeoneUsesIsFine(String nameOrSection) throws Exception {
        String yaml = nameOrSection.startsWith("\n") ? withUpstream("extra") + nameOrSection.substring(1)
                : withUpstream(nameOrSection);
        ConfigLoader.parse(yaml, "t.yaml");
    }

    @Test
    void anUpstreamNamedForARoleThatRolesGivesToAnotherServesNothing() throws Exception {
        String yaml = withUpstream("media") + "  pool: {endpoints: [\"10.0.2.11:8008\"]}\nroles: {media: pool}\n";
        assertEquals(List.of("upstreams.media: its role is served by \"pool\" (roles:) and no route uses it"
                + " (remove it, or name it in a route or in roles:)"), errorsOf(yaml));
        // Named by a route, or given another role, it serves again.
        ConfigLoader.parse(yaml + "routes: [{path: {prefix: /x}, upstream: media}, {preset: synapse}]\n", "t.yaml");
        ConfigLoader.parse(yaml.replace("roles: {media: pool}", "roles: {media: pool, generic: media}"), "t.yaml");
    }

    @Test
    void aSynapseAppNameThatIsNoNameAtAllGetsTheHintToo() {
        assertEquals(List.of("upstreams.synapse.app.generic_worker: \"synapse.app.generic_worker\" (expected a name of letters,"
                        + " digits, _ and -; \"generic_worker\" is a Synapse worker app; the built-in table's role for it is \"generic\")"),
                errorsOf(withUpstream("synapse.app.generic_worker")));
    }

    @Test
    void aTypoOfAnUpstreamARouteNamesIsSuggested() {
        String yaml = withUpstream("sliding_sync") .replace("sliding_sync", "slidng_sync")
                + "routes: [{path: {prefix: /x}, upstream: sliding_sync}, {preset: synapse}]\n";

        assertEquals(List.of(
                "routes[0].upstream: \"sliding_sync\" (expected one of: main, slidng_sync)",
                "upstreams.slidng_sync: not a role of the built-in table and used by no route (did you mean \"sliding_sync\"?)"),
                errorsOf(yaml));
    }

    @ParameterizedTest
    @CsvSource({"synchrotorn, synchrotron, 1", "generic, generic, 0", "gnreic, generic, 2", "media, main, 3"})
    void distanceCountsASwapAsOneEdit(String a, String b, int expected) {
        assertEquals(expected, UpstreamUse.distance(a, b));
    }

    private static List<String> errorsOf(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml")).errors();
    }
}
