package org.switchboard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.config.PathMatchSpec;

/** The fast matcher must agree with java.util.regex on every regex it accepts. */
class SegmentPatternTest {

    @Test
    void agreesWithTheRegexEngineOnEveryPresetRegexAndManyPaths() {
        List<String> regexes = new ArrayList<>();
        for (SynapsePreset.Entry entry : SynapsePreset.builtIn().routes()) {
            if (entry.path().kind() == PathMatchSpec.Kind.REGEX) {
                regexes.add(entry.path().value());
            }
        }
        regexes.addAll(List.of("^/a/[^/]+$", "^/a/[^/]*x", "^/a/.*b.*c$", "^/a/(?:x|yz)/.*\\.json$", "^/a/.*"));
        List<String> paths = samplePaths();
        int accepted = 0;
        for (String regex : regexes) {
            SegmentPattern fast = SegmentPattern.compile(regex);
            if (fast == null) {
                continue;
            }
            accepted++;
            Pattern slow = Pattern.compile(regex);
            for (String path : paths) {
                assertEquals(slow.matcher(path).lookingAt(), fast.matches(path), regex + " on " + path);
            }
        }
        assertTrue(accepted > regexes.size() * 3 / 4, "most of the table runs without regex: " + accepted + "/" + regexes.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"^/a/(x|y)?", "^/a/b+", "^/a/\\d", "^/a/[a-z]", "^/a/(x|.)", "/unanchored", "^/a/(/|$)"})
    void outsideTheSubsetItDeclines(String regex) {
        assertNull(SegmentPattern.compile(regex));
    }

    @Test
    void insideTheSubsetItCompiles() {
        assertNotNull(SegmentPattern.compile("^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/[^/]*/typing/[^/]*$"));
    }

    /** Realistic Matrix paths, then seeded mutations of them (cut, doubled slashes, odd chars). */
    private static List<String> samplePaths() {
        String[] versions = {"api/v1", "r0", "v3", "unstable", "v1", "v2", "V3", ""};
        String[] tails = {
                "sync", "sync/", "events", "initialSync", "rooms/%21r%3Aa.b/initialSync", "rooms/!r:a.b/typing/@u:a.b",
                "rooms/%21r%3Aa.b/send/m.room.message/t1", "rooms/%21r/state/m.room.member/typing",
                "rooms/%21r/state/account_data/x", "rooms/!r/messages", "rooms/!r/messages/x", "rooms/!r/join",
                "rooms/!r/receipt/m.read/%24e%2Fx", "rooms/!r/read_markers", "user/@u:a/rooms/!r/tags",
                "user/@u:a/rooms/!r/tags/m.fav", "user/@u:a/account_data/m.direct", "pushrules/", "pushrules/global/",
                "presence/@u:a/status", "sendToDevice/m.x/t", "keys/query", "keys/upload", "profile/@u:a",
                "login", "register", "createRoom", "publicRooms", "directory/room/%23a:b", "rooms/!r/context/$e",
                "org.matrix.simplified_msc3575/sync", "rooms/!r/relations/$e", "join/%23a:b", "devices", "devices/X",
        };
        List<String> paths = new ArrayList<>();
        for (String version : versions) {
            for (String tail : tails) {
                paths.add("/_matrix/client/" + (version.isEmpty() ? "" : version + "/") + tail);
            }
        }
        for (String other : new String[] {"/_matrix/media/v3/download/a/b", "/_matrix/federation/v1/send/1",
                "/_matrix/federation/v2/send_join/!r/$e", "/_matrix/key/v2/server", "/_synapse/admin/v1/media/a/b",
                "/_synapse/admin/v2/users/@u:a", "/_synapse/admin/v1/rooms/!r", "/_synapse/admin/v1/user/@u/media",
                "/", "", "/a/x/b/c", "/a/yz/q.json", "/a//x", "/a/b\nc", "/a/xx"}) {
            paths.add(other);
        }
        SplittableRandom random = new SplittableRandom(20261122);
        int base = paths.size();
        for (int i = 0; i < 3000; i++) {
            String path = paths.get(random.nextInt(base));
            int cut = path.isEmpty() ? 0 : random.nextInt(path.length());
            String mutated = switch (random.nextInt(4)) {
                case 0 -> path.substring(0, cut);
                case 1 -> path.substring(0, cut) + "/" + path.substring(cut);
                case 2 -> path.substring(0, cut) + "x" + path.substring(cut);
                default -> path + "/extra";
            };
            paths.add(mutated);
        }
        return paths;
    }
}
