package org.switchboard.config;

import java.util.List;

/**
 * What a load asks of the machine beside validating the document, so that {@code --check} (and a
 * start) list every problem in one round: the files the proxy would open, and what only the
 * running proxy can judge (a TLS listener's certificate pairs). Each answer is a list of errors
 * already located ({@code <location>: <found> (<expected>)}); empty when all is well. Validation
 * proper stays pure: {@link #NONE} touches nothing, so a config can be checked on another machine.
 */
public interface FileChecks {
    FileChecks NONE = new FileChecks() {
    };

    /** The access-log file and the admin token file, opened without keeping them ({@link Preflight}). */
    FileChecks FILES = new OnDisk();

    default List<String> accessLog(String location, String path) {
        return List.of();
    }

    default List<String> tokenFile(String location, String path) {
        return List.of();
    }

    /** The certificate pairs of the listener at {@code listeners[index]}, served with HTTP/2 or not. */
    default List<String> tlsListener(int index, TlsSpec tls, boolean http2) {
        return List.of();
    }

    /** {@link #FILES}; extended by what adds the certificate pairs ({@code --check}). */
    class OnDisk implements FileChecks {
        @Override
        public List<String> accessLog(String location, String path) {
            return Preflight.accessLogProblems(location, path);
        }

        @Override
        public List<String> tokenFile(String location, String path) {
            return Preflight.tokenFileProblems(location, path);
        }
    }
}
