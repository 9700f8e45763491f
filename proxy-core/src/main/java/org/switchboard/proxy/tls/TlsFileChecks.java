package org.switchboard.proxy.tls;

import java.util.List;
import org.switchboard.config.FileChecks;
import org.switchboard.config.TlsSpec;

/**
 * What {@code --check} opens: the files {@link FileChecks#FILES} opens, and every certificate pair
 * of every TLS listener loaded and checked as a start would load it.
 */
public final class TlsFileChecks extends FileChecks.OnDisk {
    @Override
    public List<String> tlsListener(int index, TlsSpec tls, boolean http2) {
        try {
            ListenerTls.check(index, tls, http2, TlsContexts.best(new TicketKeys()));
            return List.of();
        } catch (TlsStartException e) {
            return e.errors();
        }
    }
}
