import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Since which Synapse release workers serve each route of the built-in table, as Synapse's own
 * history says: the first release from which docs/workers.md lists the route's docs regex
 * without a gap up to the release the table follows (stream-writer routes: the first release
 * whose synapse/config/workers.py knows the stream's writer). Prints one line per route with
 * the data file's {@code since} beside it; a {@code !=} marks a difference, which the data file
 * must explain in a comment (a release where the code and the docs disagree).
 *
 * <pre>
 *   git clone --bare https://github.com/element-hq/synapse synapse.git
 *   java routing/tools/SynapseSince.java synapse.git [routing/src/main/resources/org/switchboard/routing/synapse-preset.yaml]
 * </pre>
 *
 * No dependencies: it reads the data file line by line (its layout is regular) and runs git.
 */
public final class SynapseSince {
    private static final String DEFAULT_TABLE = "routing/src/main/resources/org/switchboard/routing/synapse-preset.yaml";
    private static final Set<String> WRITER_ROLES =
            Set.of("typing", "to_device", "account_data", "receipts", "presence", "push_rules");
    /** The path segment naming the client API's version, which the docs' regexes spell in ever more ways. */
    private static final Pattern CLIENT_VERSION = Pattern.compile("^\\^/_matrix/client/(api/v1|v2_alpha|r0|v3|v1|unstable)/");

    record Entry(String group, String role, String form, String since) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java SynapseSince.java <synapse git dir> [synapse-preset.yaml]");
            System.exit(2);
        }
        String git = args[0];
        Path table = Path.of(args.length > 1 ? args[1] : DEFAULT_TABLE);
        List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        String followed = scalar(lines, "synapseVersion");
        List<Entry> entries = entries(lines);
        List<String> tags = tags(git, followed);

        // Per release: the expanded docs forms of the generic worker's and the media worker's sections.
        Map<String, Set<String>> generic = new LinkedHashMap<>();
        Map<String, Set<String>> media = new LinkedHashMap<>();
        Map<String, String> writersConfig = new LinkedHashMap<>();
        for (String tag : tags) {
            String docs = show(git, tag, "docs/workers.md");
            generic.put(tag, forms(section(docs, "### `synapse.app.generic_worker`")));
            media.put(tag, forms(section(docs, "### `synapse.app.media_repository`")));
            writersConfig.put(tag, writerLocations(show(git, tag, "synapse/config/workers.py")));
        }

        int differences = 0;
        System.out.printf("%-20s %-20s %-9s %-9s %s%n", "GROUP", "ROLE", "DERIVED", "FILE", "DOCS FORM");
        for (Entry entry : entries) {
            String derived;
            if (entry.role().equals("main")) {
                continue; // main serves everything in every release: nothing to hold back
            } else if (WRITER_ROLES.contains(entry.role())) {
                derived = firstUnbroken(tags, tag -> hasWriter(writersConfig.get(tag), entry.role()));
            } else {
                Map<String, Set<String>> source = entry.role().equals("media") ? media : generic;
                Set<String> wanted = normalised(expand(entry.form()));
                derived = firstUnbroken(tags, tag -> source.get(tag).containsAll(wanted));
            }
            String shown = derived == null ? "never" : derived.substring(1);
            boolean differs = !shown.equals(entry.since());
            differences += differs ? 1 : 0;
            System.out.printf("%-20s %-20s %-9s %-9s %s%s%n", entry.group(), entry.role(), shown, entry.since(),
                    entry.form(), differs ? "   != (explained in the data file?)" : "");
        }
        System.out.println(entries.size() + " routes; " + differences + " differ from the derivation; releases "
                + tags.get(0) + " to " + tags.get(tags.size() - 1));
    }

    /** The first release from which {@code test} holds for every release up to the last, or null. */
    private static String firstUnbroken(List<String> tags, java.util.function.Predicate<String> test) {
        String since = null;
        for (String tag : tags) {
            if (test.test(tag)) {
                if (since == null) {
                    since = tag;
                }
            } else {
                since = null;
            }
        }
        return since;
    }

    /** Every {@code v1.N.0} release up to the table's own, then the table's own. */
    private static List<String> tags(String git, String followed) throws IOException, InterruptedException {
        int followedMinor = Integer.parseInt(followed.replaceFirst("^v", "").split("\\.")[1]);
        List<String> tags = new ArrayList<>();
        for (String tag : run(git, "tag", "--list", "v1.*.0").split("\n")) {
            Matcher m = Pattern.compile("v1\\.(\\d+)\\.0").matcher(tag.trim());
            if (m.matches() && Integer.parseInt(m.group(1)) <= followedMinor) {
                tags.add(tag.trim());
            }
        }
        tags.sort(Comparator.comparingInt(tag -> Integer.parseInt(tag.split("\\.")[1])));
        String own = followed.startsWith("v") ? followed : "v" + followed;
        if (!tags.contains(own)) {
            tags.add(own);
        }
        return tags;
    }

    /** From {@code heading} to the next heading of the same level or above. */
    private static String section(String docs, String heading) {
        int start = docs.indexOf(heading);
        if (start < 0) {
            return "";
        }
        int level = heading.indexOf(' ');
        StringBuilder out = new StringBuilder();
        String[] lines = docs.substring(start).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int hashes = 0;
            while (hashes < line.length() && line.charAt(hashes) == '#') {
                hashes++;
            }
            if (hashes > 0 && hashes <= level && line.length() > hashes && line.charAt(hashes) == ' ') {
                break;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** The indented regexes ({@code ^/...}) and prefixes ({@code /_matrix/media/}) of a section, expanded. */
    private static Set<String> forms(String section) {
        Set<String> forms = new HashSet<>();
        for (String line : section.split("\n")) {
            String text = line.strip();
            if (line.startsWith("    ") && (text.startsWith("^/") || text.startsWith("/_"))) {
                try {
                    forms.addAll(normalised(expand(text)));
                } catch (IllegalArgumentException typo) {
                    // A release's docs with a broken regex (1.135's device_signing line) list nothing there.
                    System.err.println("skipped, does not parse: " + text);
                }
            }
        }
        return forms;
    }

    /** The client API's version segment as {@code *}: r0, v3, api/v1, unstable name the same endpoint. */
    private static Set<String> normalised(List<String> expanded) {
        Set<String> out = new HashSet<>();
        for (String form : expanded) {
            out.add(CLIENT_VERSION.matcher(form).replaceFirst("^/_matrix/client/*/"));
        }
        return out;
    }

    /** Every string a regex's alternations {@code (a|b)} and optional groups {@code (x)?} spell. */
    static List<String> expand(String regex) {
        List<String> results = new ArrayList<>();
        results.add("");
        int i = 0;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                results = append(results, List.of(regex.substring(i, i + 2)));
                i += 2;
            } else if (c == '[') {
                int end = regex.indexOf(']', i + 1);
                results = append(results, List.of(regex.substring(i, end + 1)));
                i = end + 1;
            } else if (c == '(') {
                int end = closing(regex, i);
                List<String> alternatives = new ArrayList<>();
                for (String alternative : splitTopLevel(regex.substring(i + 1, end))) {
                    alternatives.addAll(expand(alternative));
                }
                i = end + 1;
                if (i < regex.length() && regex.charAt(i) == '?') {
                    alternatives.add("");
                    i++;
                }
                results = append(results, alternatives);
            } else {
                results = append(results, List.of(String.valueOf(c)));
                i++;
            }
        }
        return results;
    }

    private static List<String> append(List<String> heads, List<String> tails) {
        List<String> out = new ArrayList<>();
        for (String head : heads) {
            for (String tail : tails) {
                out.add(head + tail);
            }
        }
        return out;
    }

    private static int closing(String regex, int open) {
        int depth = 0;
        for (int i = open; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced group in " + regex);
    }

    private static List<String> splitTopLevel(String body) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == '|' && depth == 0) {
                parts.add(body.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(body.substring(start));
        return parts;
    }

    /** The body of {@code class WriterLocations}: one field per stream that can have a writer of its own. */
    private static String writerLocations(String workersPy) {
        int start = workersPy.indexOf("class WriterLocations");
        if (start < 0) {
            return "";
        }
        int end = workersPy.indexOf("\nclass ", start + 1);
        return workersPy.substring(start, end < 0 ? workersPy.length() : end);
    }

    private static boolean hasWriter(String writerLocations, String stream) {
        return Pattern.compile("\\n\\s+" + stream + "\\s*[:=]").matcher(writerLocations).find();
    }

    /**
     * The data file's routes: each starts at {@code - group:}; its docs form is {@code docs:} where
     * the entry tightens the docs' regex, else its own {@code regex:} or {@code prefix:}.
     */
    private static List<Entry> entries(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : lines) {
            String text = line.strip();
            if (text.startsWith("#")) {
                continue;
            }
            if (text.startsWith("- group:")) {
                if (current != null) {
                    entries.add(entry(current));
                }
                current = new LinkedHashMap<>();
                text = text.substring(2);
            }
            if (current == null) {
                continue;
            }
            int colon = text.indexOf(':');
            if (colon > 0) {
                String value = text.substring(colon + 1).strip();
                int comment = value.startsWith("\"") ? value.indexOf('"', 1) + 1 : value.indexOf(" #");
                if (comment > 0) {
                    value = value.substring(0, comment).strip();
                }
                current.put(text.substring(0, colon), unquote(value));
            }
        }
        if (current != null) {
            entries.add(entry(current));
        }
        return entries;
    }

    private static Entry entry(Map<String, String> fields) {
        String form = fields.getOrDefault("docs", fields.getOrDefault("regex", fields.get("prefix")));
        return new Entry(fields.get("group"), fields.get("role"), form, fields.get("since"));
    }

    private static String scalar(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key + ":")) {
                return unquote(line.substring(key.length() + 1).strip());
            }
        }
        throw new IllegalArgumentException("no " + key + " in the data file");
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1).replace("\\\\", "\\") : value;
    }

    private static String show(String git, String tag, String path) throws IOException, InterruptedException {
        try {
            return run(git, "show", tag + ":" + path);
        } catch (IllegalStateException missing) {
            return "";
        }
    }

    private static String run(String git, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + git));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return out;
    }
}
