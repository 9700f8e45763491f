package org.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** admin.allow and admin.tokenFile, logging.format and clientHalfClose: defaults, values, mistakes. */
class AdminConfigTest {
    private static final String VALID = """
            listeners: [{name: client, address: "0.0.0.0:8080"}]
            upstreams: {main: {endpoints: ["10.0.1.10:8008"]}}
            """;

    @Test
    void actionsDefaultToLoopbackPeersAndNoToken() throws Exception {
        AdminSpec admin = ConfigLoader.parse(VALID, "t.yaml").admin();

        assertTrue(admin.allows(new byte[] {127, 0, 0, 1}));
        assertFalse(admin.allows(new byte[] {127, 0, 0, 6}), "not all of 127/8: a service-mesh sidecar connects from 127.0.0.6");
        assertTrue(admin.allows(Cidr.IpLiterals.parse("::1")));
        assertFalse(admin.allows(new byte[] {10, 0, 0, 7}));
        assertNull(admin.tokenFile());
    }

    @Test
    void allowWhenSetIsAllThatIsAllowed() throws Exception {
        AdminSpec admin = ConfigLoader.parse(VALID + """
                admin:
                  address: "0.0.0.0:9901"
                  allow: ["10.42.0.0/16"]
                  tokenFile: /run/secrets/switchboard-admin
                """, "t.yaml").admin();

        assertTrue(admin.allows(new byte[] {10, 42, 7, 9}));
        assertFalse(admin.allows(new byte[] {127, 0, 0, 1}), "loopback is no longer implied");
        assertEquals("/run/secrets/switchboard-admin", admin.tokenFile());
    }

    @Test
    void anEmptyAllowLeavesActionsToTheTokenAlone() throws Exception {
        AdminSpec admin = ConfigLoader.parse(VALID + "admin: {allow: [], tokenFile: /t}\n", "t.yaml").admin();

        assertFalse(admin.allows(new byte[] {127, 0, 0, 1}));
    }

    @Test
    void mistakesAreLocated() throws Exception {
        assertEquals(List.of(
                "admin.allow[1]: \"10.0.0.0/33\" (expected an IP address or range such as 10.0.0.0/8 or fd00::/8)",
                "admin.tokenFile: \"\" (expected the path of a file holding a token)",
                "logging.format: \"logfmt\" (expected one of: text, json)",
                "clientHalfClose: \"keep\" (expected one of: abandon, wait)"),
                errorsOf(VALID + """
                        admin: {allow: ["127.0.0.1", "10.0.0.0/33"], tokenFile: ""}
                        logging: {format: logfmt}
                        clientHalfClose: keep
                        """));
    }

    @Test
    void loggingAndHalfCloseDefaultsAndValues() throws Exception {
        SwitchboardSpec defaults = ConfigLoader.parse(VALID, "t.yaml");
        assertEquals(LoggingSpec.Format.TEXT, defaults.logging().format());
        assertEquals(ClientHalfClose.ABANDON, defaults.clientHalfClose());

        SwitchboardSpec set = ConfigLoader.parse(VALID + "logging: {format: json}\nclientHalfClose: wait\n", "t.yaml");
        assertEquals(LoggingSpec.Format.JSON, set.logging().format());
        assertEquals(ClientHalfClose.WAIT, set.clientHalfClose());
    }

    private static List<String> errorsOf(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml")).errors();
    }
}
