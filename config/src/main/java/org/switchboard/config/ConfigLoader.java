package org.switchboard.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a Switchboard YAML config into a validated {@link SwitchboardSpec}, or fails with every
 * error found. Only SnakeYAML's safe constructor is used: a config file must never be able to
 * name Java classes to instantiate.
 */
public final class ConfigLoader {
    /** Far above any real config; bounds what a mistaken path (a log file, a dump) can cost. */
    static final int MAX_CODE_POINTS = 4 * 1024 * 1024;
    /** Anchors are handy for shared endpoint lists; "billion laughs" needs far more than this. */
    static final int MAX_ALIASES = 50;

    private ConfigLoader() {
    }

    public static SwitchboardSpec load(Path file) throws ConfigException {
        return load(file, FileChecks.NONE);
    }

    /** As {@link #load(Path)}, with {@code checks}' errors listed beside the document's own. */
    public static SwitchboardSpec load(Path file, FileChecks checks) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > MAX_CODE_POINTS) {
                throw new ConfigException(List.of(file + ": " + Files.size(file) + " bytes (expected at most "
                        + MAX_CODE_POINTS + " bytes)"));
            }
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(file + ": not UTF-8 (expected a UTF-8 text file)"));
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file (expected a YAML config file)"));
        } catch (AccessDeniedException e) {
            throw new ConfigException(List.of(file + ": permission denied (expected a readable YAML config file)"));
        } catch (IOException e) {
            String why = Files.isDirectory(file) ? "a directory" : "cannot be read: " + e.getMessage();
            throw new ConfigException(List.of(file + ": " + why + " (expected a YAML config file)"));
        }
        return parse(text, file.toString(), checks);
    }

    /** @param sourceName names the config in errors, usually its path */
    public static SwitchboardSpec parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml, sourceName, FileChecks.NONE);
    }

    public static SwitchboardSpec parse(String yaml, String sourceName, FileChecks checks) throws ConfigException {
        Object document;
        List<String> duplicates;
        try {
            // Duplicates are allowed while loading and listed beside the other errors instead:
            // SnakeYAML would stop at the first one, one round of edits for each.
            duplicates = DuplicateKeys.find(newYaml().compose(new StringReader(yaml)), sourceName);
            document = newYaml().load(yaml);
        } catch (MarkedYAMLException e) {
            throw new ConfigException(List.of(syntaxError(sourceName, e)));
        } catch (YAMLException e) {
            // Limits (size, aliases, nesting) and unmarked construction failures.
            throw new ConfigException(List.of(sourceName + ": " + e.getMessage() + " (expected valid YAML)"));
        } catch (RuntimeException e) {
            // Explicit scalar tags such as "!!int abc" fail in JDK parsers SnakeYAML does not wrap.
            throw new ConfigException(List.of(sourceName + ": " + e + " (expected valid YAML)"));
        }
        if (document == null) {
            throw new ConfigException(List.of(sourceName + ": config is empty (expected a map with at least "
                    + "listeners and upstreams)"));
        }
        try {
            SwitchboardSpec spec = SpecBinder.bind(document, sourceName, checks);
            if (!duplicates.isEmpty()) {
                throw new ConfigException(duplicates);
            }
            return spec;
        } catch (ConfigException e) {
            if (duplicates.isEmpty() || e.errors().equals(duplicates)) {
                throw e;
            }
            List<String> all = new ArrayList<>(duplicates);
            all.addAll(e.errors());
            throw new ConfigException(all);
        }
    }

    /** A new instance per load: {@link Yaml} is not thread-safe and loads are rare. */
    private static Yaml newYaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // and refused with every other error (DuplicateKeys)
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setAllowRecursiveKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    private static String syntaxError(String sourceName, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        if (e.getContext() != null) {
            problem = e.getContext() + ", " + problem;
        }
        String where = mark == null ? "" : " line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ":";
        return sourceName + ":" + where + " " + problem + " (expected valid YAML)";
    }
}
