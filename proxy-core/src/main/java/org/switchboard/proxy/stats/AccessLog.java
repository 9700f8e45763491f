package org.switchboard.proxy.stats;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.switchboard.config.AccessLogSpec;

/**
 * One JSON line per request, as NGINX's buffered log does it: each event loop renders its lines
 * as bytes into a chunk of its own (no lock, no String, no wake-up per line) and hands a chunk to
 * the writer thread when it is nearly full or 100 ms old; the writer makes one write per chunk.
 * File I/O never blocks a loop. When the writer falls behind and no free chunk is left, lines
 * are dropped and counted rather than slowing the proxy. SIGUSR1 reopens the file (logrotate).
 */
public final class AccessLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());
    /** About 700 lines: one hand-off, one wake-up of the writer and one write(2) for all of them. */
    private static final int CHUNK_BYTES = 256 * 1024;
    /** Chunks in flight at most: 4 MiB of lines waiting for a slow disk before any is dropped. */
    private static final int CHUNKS = 16;
    private static final long CHUNK_AGE_MILLIS = 100;

    /** A run of whole lines. */
    private static final class Chunk {
        final byte[] bytes = new byte[CHUNK_BYTES];
        int length;
        int lines;
    }

    /** What one event loop writes into: its chunk and its line renderer. */
    private final class LoopLog {
        final AccessLogLine line = new AccessLogLine();
        Chunk current;
        /** A hand-off of {@link #current} is scheduled (it had lines, it will be 100 ms old). */
        boolean handOffScheduled;
    }

    private final AccessLogSpec spec;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS);
    private final ConcurrentLinkedQueue<Chunk> free = new ConcurrentLinkedQueue<>();
    /** Every loop's log, so that {@link #close()} can write what each loop still holds. */
    private final ConcurrentLinkedQueue<LoopLog> allLoops = new ConcurrentLinkedQueue<>();
    private final FastThreadLocal<LoopLog> loops = new FastThreadLocal<>() {
        @Override
        protected LoopLog initialValue() {
            LoopLog log = new LoopLog();
            allLoops.add(log);
            return log;
        }
    };
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean reopen;
    private volatile boolean closed;
    private FileChannel out;

    public AccessLog(AccessLogSpec spec) throws IOException {
        this.spec = spec;
        boolean toFile = spec.enabled() && spec.path() != null;
        // Handled in every mode: a fleet's logrotate sends SIGUSR1 to every pod, and the JVM's
        // default for it is to exit. Only a log written to a file has something to reopen.
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> reopen = toFile);
        } catch (IllegalArgumentException unavailable) {
            LOG.log(System.Logger.Level.WARNING, "no SIGUSR1 on this platform: the access log cannot be reopened");
        }
        if (!spec.enabled()) {
            this.writer = null;
            return;
        }
        for (int i = 0; i < CHUNKS; i++) {
            free.add(new Chunk());
        }
        this.out = open();
        this.writer = new Thread(this::drain, "switchboard-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    private FileChannel open() throws IOException {
        return spec.path() == null ? new FileOutputStream(FileDescriptor.out).getChannel()
                : FileChannel.open(Path.of(spec.path()), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE);
    }

    boolean enabled() {
        return writer != null;
    }

    /** Lines dropped because the writer fell behind (or a write failed). */
    public long dropped() {
        return dropped.get();
    }

    /** From the event loop {@code loop}: renders the line into the loop's chunk; never blocks. */
    void log(RequestRecord record, long totalNanos, EventExecutor loop) {
        if (writer == null || closed) {
            return;
        }
        if (spec.sample() < 1.0 && ThreadLocalRandom.current().nextDouble() >= spec.sample()) {
            return;
        }
        LoopLog log = loops.get();
        Chunk chunk = log.current;
        if (chunk == null || CHUNK_BYTES - chunk.length < AccessLogLine.MAX_LINE) {
            if (chunk != null) {
                handOff(chunk);
            }
            chunk = takeFree();
            log.current = chunk;
        }
        chunk.length = log.line.render(record, System.currentTimeMillis(), totalNanos, chunk.bytes, chunk.length);
        chunk.lines++;
        if (!log.handOffScheduled) {
            log.handOffScheduled = true;
            loop.schedule(() -> handOffOld(log), CHUNK_AGE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** On the loop, 100 ms after its chunk got a first line: what it holds goes to the writer. */
    private void handOffOld(LoopLog log) {
        log.handOffScheduled = false;
        Chunk chunk = log.current;
        if (chunk != null && chunk.length > 0) {
            log.current = null;
            handOff(chunk);
        }
    }

    private void handOff(Chunk chunk) {
        if (!full.offer(chunk)) {
            dropped.addAndGet(chunk.lines);
            recycle(chunk);
        }
    }

    /** A free chunk, or a new one (the free list is bounded on return, so chunks never pile up). */
    private Chunk takeFree() {
        Chunk chunk = free.poll();
        return chunk != null ? chunk : new Chunk();
    }

    private void recycle(Chunk chunk) {
        chunk.length = 0;
        chunk.lines = 0;
        if (free.size() < CHUNKS) {
            free.add(chunk);
        }
    }

    private void drain() {
        long reportedDrops = 0;
        long nextReport = System.nanoTime();
        while (!closed || !full.isEmpty()) {
            try {
                Chunk chunk = full.poll(200, TimeUnit.MILLISECONDS);
                if (reopen) {
                    reopen();
                }
                long drops = dropped.get();
                if (drops > reportedDrops && System.nanoTime() - nextReport >= 0) {
                    // Once per 10 s at most: the log is where an operator looks first when lines are missing.
                    LOG.log(System.Logger.Level.WARNING, "access log: " + (drops - reportedDrops) + " lines dropped ("
                            + drops + " in all): the writer fell behind (a slow disk or pipe); see "
                            + "switchboard_access_log_dropped_lines_total");
                    reportedDrops = drops;
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                }
                if (chunk != null) {
                    write(chunk);
                    recycle(chunk);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void write(Chunk chunk) {
        ByteBuffer bytes = ByteBuffer.wrap(chunk.bytes, 0, chunk.length);
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            dropped.addAndGet(chunk.lines);
            LOG.log(System.Logger.Level.WARNING, "access log write failed: " + e.getMessage());
        }
    }

    /** After logrotate moved the file: lines go to a new file at the configured path. */
    private void reopen() {
        reopen = false;
        try {
            FileChannel reopened = open();
            out.close();
            out = reopened;
            LOG.log(System.Logger.Level.INFO, "access log reopened: " + spec.path());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "access log reopen failed, still writing the old file: " + e.getMessage());
        }
    }

    /**
     * Writes every line logged so far, the loops' chunks not yet handed off among them (a drain's
     * last requests end just before this). Called once the event loops have ended: their chunks
     * are then read here safely, and no line comes after.
     */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        try {
            handOffWhatTheLoopsHold();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
        }
        try {
            writer.join(2_000);
            if (spec.path() != null) {
                out.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "access log close failed: " + e.getMessage());
        }
    }

    private void handOffWhatTheLoopsHold() throws InterruptedException {
        for (LoopLog log : allLoops) {
            Chunk last = log.current;
            log.current = null;
            if (last != null && last.length > 0 && !full.offer(last, 1, TimeUnit.SECONDS)) {
                dropped.addAndGet(last.lines);
            }
        }
    }
}
