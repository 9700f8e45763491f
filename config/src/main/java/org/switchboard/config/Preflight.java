package org.switchboard.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens, without keeping, what the running proxy would open from a config, as {@code nginx -t}
 * does: the access-log file and the admin token file ({@link FileChecks#FILES}). Validation proper
 * stays pure (no file system), so a config can be checked on another machine than the one it
 * runs on; {@code --check} and startup add this.
 */
public final class Preflight {
    private Preflight() {
    }

    static List<String> accessLogProblems(String location, String path) {
        String problem = unwritable(Path.of(path));
        return problem == null ? List.of()
                : List.of(location + ": " + Node.describe(path) + " (cannot be written: " + problem + ")");
    }

    static List<String> tokenFileProblems(String location, String path) {
        try {
            readToken(path);
            return List.of();
        } catch (IOException e) {
            return List.of(location + ": " + Node.describe(path) + " (" + e.getMessage() + ")");
        }
    }

    /**
     * The token in {@code file}, trimmed (a Secret written with {@code echo} ends in a newline).
     *
     * @throws IOException with a message naming the cause, if missing, unreadable or empty
     */
    public static byte[] readToken(String file) throws IOException {
        Path path = Path.of(file);
        String token;
        try {
            token = Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("cannot be read: no such file");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot be read: permission denied");
        } catch (IOException e) {
            throw new IOException("cannot be read: " + e.getMessage());
        }
        if (token.isEmpty()) {
            throw new IOException("is empty (expected a token)");
        }
        return token.getBytes(StandardCharsets.UTF_8);
    }

    /** Why {@code file} could not be appended to, or null if it could. */
    private static String unwritable(Path file) {
        Path absolute = file.toAbsolutePath();
        // A symbolic link to a file not there yet: the file is made where the link points.
        for (int links = 0; Files.isSymbolicLink(absolute) && !Files.exists(absolute); links++) {
            if (links == 8) {
                return "too many symbolic links from " + file;
            }
            try {
                absolute = absolute.resolveSibling(Files.readSymbolicLink(absolute)).toAbsolutePath();
            } catch (IOException e) {
                return "cannot read the symbolic link " + absolute + ": " + e.getMessage();
            }
        }
        Path directory = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            return absolute + " is a directory";
        }
        if (Files.exists(absolute)) {
            return Files.isWritable(absolute) ? null : "permission denied on " + absolute;
        }
        if (directory == null || !Files.exists(directory)) {
            return "directory " + directory + " does not exist";
        }
        if (!Files.isDirectory(directory)) {
            return directory + " is not a directory";
        }
        return Files.isWritable(directory) ? null : "permission denied on directory " + directory;
    }
}
