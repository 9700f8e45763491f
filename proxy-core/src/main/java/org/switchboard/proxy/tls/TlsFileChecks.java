package org.switchboard.proxy.tls;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.switchboard.config.FileChecks;
import org.switchboard.config.TlsSpec;

/**
 * What {@code --check} opens: the files {@link FileChecks#FILES} opens, and every certificate pair
 * of every TLS listener loaded and checked as a start would load it. A certificate past its end
 * is no error (a start serves it, with a warning), but {@code --check} warns of it too: a
 * rollout checked the night before must not be the first to find out.
 */
public final class TlsFileChecks extends FileChecks.OnDisk {
    private final List<String> warnings = new ArrayList<>();

    @Override
    public List<String> tlsListener(int index, TlsSpec tls, boolean http2) {
        try {
            for (LoadedCertificate certificate : ListenerTls.check(index, tls, http2, TlsContexts.best(new TicketKeys()))) {
                if (certificate.expiredAt(Instant.now())) {
                    warnings.add("listeners[" + index + "].tls: certificate " + certificate.name() + " ("
                            + certificate.subject() + ") expired at " + certificate.notAfter()
                            + "; a start serves it and clients will refuse it");
                }
            }
            return List.of();
        } catch (TlsStartException e) {
            return e.errors();
        }
    }

    /** What the checks found that does not stop a start. */
    public List<String> warnings() {
        return warnings;
    }
}
