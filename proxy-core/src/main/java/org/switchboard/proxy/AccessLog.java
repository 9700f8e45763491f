package org.switchboard.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.switchboard.config.AccessLogSpec;

/**
 * One JSON line per request. Event loops only hand an entry to a bounded queue; a thread of its
 * own formats and writes (file I/O never blocks a loop). When the queue is full, entries are
 * dropped and counted rather than slowing the proxy. The path is logged without its query (it
 * may carry {@code access_token}); no header value is ever logged.
 */
public final class AccessLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());
    private static final int QUEUE = 65_536;

    /** What one request leaves behind; built on the event loop, formatted elsewhere. */
    record Entry(long epochMillis, String requestId, String client, String method, String path, String route,
                 String upstream, String endpoint, int status, long bytesIn, long bytesOut, long totalNanos,
                 long upstreamNanos, String termination) {
    }

    private final AccessLogSpec spec;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final Writer writer;
    private final Thread thread;
    private volatile boolean closed;

    public AccessLog(AccessLogSpec spec) throws IOException {
        this.spec = spec;
        if (!spec.enabled()) {
            this.writer = null;
            this.thread = null;
            return;
        }
        this.writer = spec.path() == null
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(Path.of(spec.path()), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        this.thread = new Thread(this::drain, "switchboard-access-log");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    boolean enabled() {
        return writer != null;
    }

    /** From an event loop: never blocks. */
    void log(Entry entry) {
        if (writer == null || closed) {
            return;
        }
        if (spec.sample() < 1.0 && ThreadLocalRandom.current().nextDouble() >= spec.sample()) {
            return;
        }
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    private void drain() {
        StringBuilder line = new StringBuilder(512);
        while (!closed || !queue.isEmpty()) {
            try {
                Entry entry = queue.poll(200, TimeUnit.MILLISECONDS);
                if (entry == null) {
                    continue;
                }
                line.setLength(0);
                format(entry, line);
                writer.write(line.append('\n').toString());
                if (queue.isEmpty()) {
                    writer.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "access log write failed: " + e.getMessage());
            }
        }
    }

    static void format(Entry e, StringBuilder out) {
        out.append("{\"time\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"')
                .append(",\"request_id\":").append(Json.quote(e.requestId()))
                .append(",\"client\":").append(Json.quote(e.client()))
                .append(",\"method\":").append(Json.quote(e.method()))
                .append(",\"path\":").append(Json.quote(e.path()))
                .append(",\"route\":").append(Json.quote(e.route()))
                .append(",\"upstream\":").append(Json.quote(e.upstream()))
                .append(",\"endpoint\":").append(e.endpoint() == null ? "null" : Json.quote(e.endpoint()))
                .append(",\"status\":").append(e.status())
                .append(",\"bytes_in\":").append(e.bytesIn())
                .append(",\"bytes_out\":").append(e.bytesOut())
                .append(",\"duration_ms\":").append(e.totalNanos() / 1_000_000.0)
                .append(",\"upstream_ms\":").append(e.upstreamNanos() < 0 ? "null" : String.valueOf(e.upstreamNanos() / 1_000_000.0))
                .append(",\"termination\":").append(e.termination() == null ? "null" : Json.quote(e.termination()))
                .append('}');
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            try {
                thread.join(2_000);
                writer.flush();
                if (spec.path() != null) {
                    writer.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "access log close failed: " + e.getMessage());
            }
        }
    }
}
