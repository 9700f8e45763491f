package org.switchboard.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Catches an upstream that would serve nothing: not a role of the built-in table (or one that
 * {@code roles:} gives to another upstream) and named by no route and no {@code roles:} entry.
 * Left alone, its role's traffic silently goes to main (or to the other upstream), which is what
 * a typo ({@code synchrotorn}) or Synapse's own app names ({@code generic_worker},
 * {@code media_repository}) would do.
 */
final class UpstreamUse {
    static final String FOUND = "not a role of the built-in table and used by no route";
    /** Farther than this from every known name is no typo worth guessing at. */
    private static final int MAX_DISTANCE = 2;

    /** Synapse's worker app names (synapse.app.X, the Docker image's worker types) to the role serving their requests. */
    private static final Map<String, String> APP_ROLES = Map.ofEntries(
            Map.entry("generic_worker", "generic"),
            Map.entry("client_reader", "generic"),
            Map.entry("event_creator", "generic"),
            Map.entry("frontend_proxy", "generic"),
            Map.entry("user_dir", "generic"),
            Map.entry("media_repository", "media"),
            Map.entry("federation_inbound", "federation_reader"));
    /** Workers Synapse gives no HTTP requests a proxy would route. */
    private static final Set<String> NO_HTTP = Set.of(
            "federation_sender", "pusher", "appservice", "background_worker", "event_persister");

    private UpstreamUse() {
    }

    /**
     * Reports each upstream written in {@code entries} that no one uses.
     *
     * @param named upstream names written by routes and {@code roles:}, valid or not
     * @param roles the valid entries of {@code roles:}, role to upstream
     */
    static void check(Map<String, Node> entries, Set<String> named, Map<String, String> roles) {
        List<String> known = new ArrayList<>(PresetSpec.SYNAPSE_ROLES);
        named.stream().filter(name -> !entries.containsKey(name)).forEach(known::add);
        for (Map.Entry<String, Node> entry : entries.entrySet()) {
            String name = entry.getKey();
            if (named.contains(name) || !SpecBinder.isName(name)) {
                continue;
            }
            String servedBy = roles.getOrDefault(name, name);
            if (!servedBy.equals(name)) {
                // roles: {media: media-pool} beside an upstream named media: that one gets nothing.
                entry.getValue().fail("its role is served by \"" + servedBy + "\" (roles:) and no route uses it",
                        "remove it, or name it in a route or in roles:");
            } else if (!PresetSpec.SYNAPSE_ROLES.contains(name)) {
                entry.getValue().fail(FOUND, advice(name, known));
            }
        }
    }

    private static String advice(String name, List<String> known) {
        String hint = synapseAppHint(name);
        if (hint != null) {
            return hint;
        }
        String stem = stem(name);
        String closest = PresetSpec.SYNAPSE_ROLES.contains(stem) ? stem : closest(name, known);
        if (closest != null) {
            return "did you mean \"" + closest + "\"?";
        }
        return "expected a role: " + String.join(", ", PresetSpec.SYNAPSE_ROLES)
                + "; or name it in a route or in roles:";
    }

    /**
     * Which role to use instead of a Synapse worker app name, or null if {@code name} is none.
     * Accepts the forms admins write: {@code synapse.app.generic_worker}, {@code media-repository},
     * {@code generic_workers}.
     */
    static String synapseAppHint(String name) {
        String app = stem(name);
        if (NO_HTTP.contains(app)) {
            return "\"" + app + "\" is a Synapse worker app that takes no requests from the proxy; leave it out";
        }
        String role = APP_ROLES.get(app);
        return role == null ? null
                : "\"" + app + "\" is a Synapse worker app; the built-in table's role for it is \"" + role + "\"";
    }

    /** {@code name} without the decorations around an app or role name: prefix, plural, "_worker". */
    private static String stem(String name) {
        String text = name.toLowerCase(Locale.ROOT).replace('-', '_');
        if (text.startsWith("synapse.app.")) {
            text = text.substring("synapse.app.".length());
        }
        // The whole name first: generic_worker is an app, not the role generic with a suffix.
        for (String suffix : List.of("", "s", "_workers", "_worker")) {
            if (!text.endsWith(suffix)) {
                continue;
            }
            String stem = text.substring(0, text.length() - suffix.length());
            if (APP_ROLES.containsKey(stem) || NO_HTTP.contains(stem) || PresetSpec.SYNAPSE_ROLES.contains(stem)) {
                return stem;
            }
        }
        return text;
    }

    /** The known name nearest to {@code name}, if it is close enough to be a typo of it. */
    static String closest(String name, List<String> known) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : known) {
            int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters counts as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
