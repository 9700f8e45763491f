package org.switchboard.proxy.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.TlsSpec;
import org.switchboard.proxy.logging.Json;

/**
 * The certificates of one TLS listener: loaded at start (every error listed, or no start), then
 * reloaded pair by pair (compile, check, swap): a pair whose files changed and still make a
 * matching, readable certificate replaces the old one; a bad pair is refused with its location and
 * the last good one serves on. Connections read {@link #current()} once, at their ClientHello.
 */
public final class ListenerTls {
    private static final System.Logger LOG = System.getLogger(ListenerTls.class.getName());

    private final String listener;
    private final String location;
    private final TlsSpec spec;
    /** ALPN offers h2 on this listener. */
    private final boolean http2;
    private final TlsContexts contexts;
    private final AtomicReference<CertificateSet> current;
    /** The last refusal per certificate, null when its files are in force. Guarded by this. */
    private final String[] lastErrors;
    private final MultiGauge notAfter;
    private final Counter reloadsOk;
    private final Counter reloadsRefused;

    private ListenerTls(String listener, String location, TlsSpec spec, boolean http2, TlsContexts contexts,
                        CertificateSet first, MeterRegistry registry) {
        this.listener = listener;
        this.http2 = http2;
        this.location = location;
        this.spec = spec;
        this.contexts = contexts;
        this.current = new AtomicReference<>(first);
        this.lastErrors = new String[first.certificates().size()];
        this.notAfter = MultiGauge.builder("switchboard_tls_certificate_not_after_seconds")
                .description("When each served certificate expires (Unix time, seconds)").register(registry);
        this.reloadsOk = Counter.builder("switchboard_tls_certificate_reloads").description("Certificate reloads by result")
                .tags("listener", listener, "result", "ok").register(registry);
        this.reloadsRefused = Counter.builder("switchboard_tls_certificate_reloads").description("Certificate reloads by result")
                .tags("listener", listener, "result", "refused").register(registry);
        publishExpiry(first);
    }

    /**
     * Loads every certificate of listener {@code index}.
     *
     * @throws TlsStartException listing every pair that cannot be served, located
     */
    public static ListenerTls load(int index, ListenerSpec listener, TlsContexts contexts, MeterRegistry registry)
            throws TlsStartException {
        List<LoadedCertificate> loaded = loadAll(index, listener.tls(), listener.http2(), contexts);
        loaded.forEach(certificate -> warnIfExpired(listener.name(), certificate));
        return new ListenerTls(listener.name(), location(index), listener.tls(), listener.http2(), contexts, new CertificateSet(loaded),
                registry);
    }

    /** What {@code --check} does: loads and checks every pair of listener {@code index}, and says what it loaded. */
    public static List<LoadedCertificate> check(int index, TlsSpec tls, boolean http2, TlsContexts contexts)
            throws TlsStartException {
        return loadAll(index, tls, http2, contexts);
    }

    private static String location(int index) {
        return "listeners[" + index + "].tls.certificates";
    }

    private static List<LoadedCertificate> loadAll(int index, TlsSpec tls, boolean http2, TlsContexts contexts)
            throws TlsStartException {
        String location = location(index);
        List<String> errors = new ArrayList<>();
        List<LoadedCertificate> loaded = new ArrayList<>();
        List<TlsSpec.CertificateSpec> certificates = tls.certificates();
        for (int i = 0; i < certificates.size(); i++) {
            try {
                loaded.add(LoadedCertificate.load(location + "[" + i + "]", certificates.get(i),
                        tls.minVersion(), http2, contexts));
            } catch (TlsConfigException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new TlsStartException(errors);
        }
        return loaded;
    }

    public String listener() {
        return listener;
    }

    public CertificateSet current() {
        return current.get();
    }

    /**
     * Reads every pair again; those whose files changed are rebuilt and, when good, swapped in.
     * Returns the refusals (also logged and counted), empty when all is in force.
     */
    public synchronized List<String> reload() {
        CertificateSet before = current.get();
        List<LoadedCertificate> next = new ArrayList<>(before.certificates());
        List<String> refusals = new ArrayList<>();
        boolean changed = false;
        for (int i = 0; i < next.size(); i++) {
            TlsSpec.CertificateSpec pair = spec.certificates().get(i);
            byte[] digest = LoadedCertificate.currentDigest(pair);
            if (next.get(i).sameFilesAs(digest)) {
                lastErrors[i] = null;
                continue;
            }
            try {
                LoadedCertificate loaded = LoadedCertificate.load(location + "[" + i + "]", pair, spec.minVersion(), http2, contexts);
                next.set(i, loaded);
                lastErrors[i] = null;
                warnIfExpired(listener, loaded);
                changed = true;
                LOG.log(System.Logger.Level.INFO, "listener " + listener + ": certificate " + loaded.name() + " from "
                        + pair.cert() + " in force, valid until " + loaded.notAfter());
            } catch (TlsConfigException e) {
                refusals.add(e.getMessage());
                if (!e.getMessage().equals(lastErrors[i])) {
                    // Once per bad content, not at every poll while it stays bad.
                    reloadsRefused.increment();
                    LOG.log(System.Logger.Level.WARNING, "listener " + listener + ": certificate refused, the one in force ("
                            + next.get(i).name() + ") serves on: " + e.getMessage());
                }
                lastErrors[i] = e.getMessage();
            }
        }
        if (changed) {
            CertificateSet swapped = new CertificateSet(next);
            current.set(swapped);
            reloadsOk.increment();
            publishExpiry(swapped);
        }
        return refusals;
    }

    /**
     * An expired certificate is served all the same (clients refuse it, which the operator sees
     * at once; refusing to start would take the whole listener down instead), with a warning.
     */
    private static void warnIfExpired(String listener, LoadedCertificate certificate) {
        if (certificate.expiredAt(Instant.now())) {
            LOG.log(System.Logger.Level.WARNING, "listener " + listener + ": certificate " + certificate.name()
                    + " expired at " + certificate.notAfter() + "; clients will refuse it");
        }
    }

    private void publishExpiry(CertificateSet set) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (LoadedCertificate certificate : set.certificates()) {
            double seconds = certificate.notAfter().getEpochSecond();
            rows.add(MultiGauge.Row.of(Tags.of("listener", listener, "certificate", certificate.name()), seconds));
        }
        notAfter.register(rows, true);
    }

    /** This listener's entry of the status page's {@code tls} list. */
    public synchronized String statusJson(Instant now) {
        StringBuilder json = new StringBuilder("{\"listener\":").append(Json.quote(listener))
                .append(",\"minVersion\":").append(Json.quote(spec.minVersion())).append(",\"certificates\":[");
        List<LoadedCertificate> certificates = current.get().certificates();
        for (int i = 0; i < certificates.size(); i++) {
            LoadedCertificate certificate = certificates.get(i);
            TlsSpec.CertificateSpec pair = spec.certificates().get(i);
            json.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.quote(certificate.name()))
                    .append(",\"dnsNames\":[");
            for (int n = 0; n < certificate.dnsNames().size(); n++) {
                json.append(n == 0 ? "" : ",").append(Json.quote(certificate.dnsNames().get(n)));
            }
            json.append("],\"notAfter\":").append(Json.quote(certificate.notAfter().toString()))
                    .append(",\"expiresInSeconds\":").append(certificate.notAfter().getEpochSecond() - now.getEpochSecond())
                    .append(",\"cert\":").append(Json.quote(pair.cert().toString()))
                    .append(",\"key\":").append(Json.quote(pair.key().toString()))
                    .append(",\"lastError\":").append(lastErrors[i] == null ? "null" : Json.quote(lastErrors[i])).append('}');
        }
        return json.append("]}").toString();
    }

    /** The status page's rows: listener, certificate, expiry, last refusal. */
    public synchronized List<String[]> statusRows(Instant now) {
        List<String[]> rows = new ArrayList<>();
        List<LoadedCertificate> certificates = current.get().certificates();
        for (int i = 0; i < certificates.size(); i++) {
            LoadedCertificate certificate = certificates.get(i);
            long days = (certificate.notAfter().getEpochSecond() - now.getEpochSecond()) / 86_400;
            rows.add(new String[] {listener, certificate.name(), certificate.notAfter() + " (" + days + " days)",
                    lastErrors[i] == null ? "" : lastErrors[i]});
        }
        return rows;
    }
}
