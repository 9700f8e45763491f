import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The long-poll scale test: a holding upstream and the clients in one process, so both sides
 * share one {@code System.nanoTime} clock.
 *
 * <p>The upstream reads each request head and never answers (except {@code GET /health}: 200, for
 * active health checks). The clients open N keep-alive connections to the proxy, one
 * {@code GET /_matrix/client/v3/sync?since=s1&timeout=30000} each with its own {@code syt_} token;
 * the upstream tells the requests apart by that token. Phases: a small warm-up round (held, then
 * released), the proxy's RSS idle, the full round held, its RSS held (each at rest: the lowest of
 * readings 250 ms apart over {@code --rest-seconds}), then every client socket is
 * closed at once, normally (FIN; the default) or abortively ({@code --close reset}: SO_LINGER 0,
 * RST), and for each held request the time from its client's close to
 * the upstream seeing EOF or a reset on its side is the release time.
 *
 * <p>Ends with one line {@code RESULT key=value ...} on standard output; progress on standard error.
 * Every phase is bounded and a watchdog ends the process after {@code --max-seconds}.
 *
 * <pre>
 * java benchmarks/scripts/LongPollLoad.java --proxy 127.0.0.1:18603 --upstream-port 19103 \
 *     --pid-file proxy.pid [--requests 9000] [--warmup 200] [--fill-seconds 60] \
 *     [--settle-seconds 2] [--release-seconds 5] [--close fin|reset] [--max-seconds 150] \
 *     [--idle-seconds 1] [--warmup-rounds 1] [--rest-seconds 3]
 * </pre>
 * {@code --warmup-rounds}: how many times the warm-up round is held and released. Many small
 * rounds run the proxy's close path as often as a proxy in service has, while holding no more at
 * a time than one round (the idle RSS reading then counts little of it).
 * {@code --idle-seconds}: the pause between the warm-up's release and the idle RSS reading (and
 * the fill after it), so that longpoll-heap.sh can take its idle class histogram in between.
 * The proxy is started after this program prints {@code UPSTREAM READY}, and its pid written to
 * the pid file; its RSS is VmRSS of that pid plus its direct children (nginx workers).
 */
public final class LongPollLoad {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    /** Connections opened but not yet held: keeps the proxy's accept queue short. */
    private static final int WINDOW = 256;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String[] proxyHostPort = required(options, "proxy").split(":");
        InetSocketAddress proxy = new InetSocketAddress(proxyHostPort[0], Integer.parseInt(proxyHostPort[1]));
        int upstreamPort = Integer.parseInt(required(options, "upstream-port"));
        Path pidFile = Path.of(required(options, "pid-file"));
        int requests = Integer.parseInt(options.getOrDefault("requests", "9000"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "200"));
        int warmupRounds = Integer.parseInt(options.getOrDefault("warmup-rounds", "1"));
        long fillNanos = Long.parseLong(options.getOrDefault("fill-seconds", "60")) * SECOND;
        long settleNanos = Long.parseLong(options.getOrDefault("settle-seconds", "2")) * SECOND;
        long idleMillis = Long.parseLong(options.getOrDefault("idle-seconds", "1")) * 1000;
        long restMillis = Long.parseLong(options.getOrDefault("rest-seconds", "3")) * 1000;
        long releaseNanos = Long.parseLong(options.getOrDefault("release-seconds", "5")) * SECOND;
        long maxSeconds = Long.parseLong(options.getOrDefault("max-seconds", "150"));
        String close = options.getOrDefault("close", "fin");
        if (!close.equals("fin") && !close.equals("reset")) {
            throw fail("--close is fin or reset, not " + close);
        }
        boolean abortive = close.equals("reset");
        startWatchdog(maxSeconds);

        HoldingUpstream upstream = new HoldingUpstream(new InetSocketAddress("127.0.0.1", upstreamPort));
        Thread upstreamThread = new Thread(upstream, "holding-upstream");
        upstreamThread.setDaemon(true);
        upstreamThread.start();
        System.out.println("UPSTREAM READY 127.0.0.1:" + upstreamPort);
        System.out.flush();

        long pid = awaitPid(pidFile, 30 * SECOND);
        awaitListening(proxy, 30 * SECOND);
        log("proxy pid " + pid + " accepts connections on " + proxy);

        Random random = new Random(8);
        for (int round = 1; round <= warmupRounds; round++) {
            Round warm = new Round("warm-up", warmup, random);
            upstream.round = warm;
            runHold(warm, proxy, 20 * SECOND, 0);
            Release warmRelease = release(warm, releaseNanos, abortive);
            log("warm-up round " + round + "/" + warmupRounds + ": held " + warm.held.get() + "/" + warmup
                    + ", released p50 " + ms(warmRelease.p50) + " ms, not released " + warmRelease.notReleased);
        }
        log("warm-up: " + warmupRounds + " round(s) of " + warmup + " held and released"); // longpoll-heap.sh waits for it
        Thread.sleep(idleMillis);
        long rssIdle = rssAtRest(pid, restMillis);

        Round full = new Round("full", requests, random);
        upstream.round = full;
        long fillStart = System.nanoTime();
        runHold(full, proxy, fillNanos, settleNanos);
        double fillSeconds = Math.max(0, full.lastHeldNanos() - fillStart) / 1e9;
        long rssHeld = rssAtRest(pid, restMillis);
        int held = full.held.get();
        int droppedWhileHeld = full.released.get();
        Release fullRelease = release(full, releaseNanos, abortive);

        double kibPerHeld = held == 0 ? 0 : (rssHeld - rssIdle) / (double) held;
        System.out.printf("RESULT target=%d held=%d opened=%d connect_failed=%d answered=%d closed_by_proxy=%d"
                        + " dropped_while_held=%d unknown_requests=%d health_checks=%d fill_s=%.1f"
                        + " rss_idle_kib=%d rss_held_kib=%d kib_per_held=%.2f"
                        + " close=%s close_loop_ms=%s release_min_ms=%s release_p50_ms=%s release_p99_ms=%s"
                        + " release_max_ms=%s released=%d not_released=%d answers=%s%n",
                requests, held, full.opened, full.connectFailed, full.answered, full.closedByProxy,
                droppedWhileHeld, upstream.unknownRequests.get(), upstream.healthChecks.get(), fillSeconds,
                rssIdle, rssHeld, kibPerHeld, close, ms(fullRelease.closeLoopNanos), ms(fullRelease.min),
                ms(fullRelease.p50), ms(fullRelease.p99), ms(fullRelease.max),
                fullRelease.released, fullRelease.notReleased,
                answers(full.answerStatuses));
        System.out.flush();
        System.exit(0);
    }

    /** One set of clients: their tokens, sockets, and what the upstream saw of each. */
    static final class Round {
        final String name;
        final int size;
        final String[] tokens;
        final Map<String, Integer> byToken;
        final SocketChannel[] clients;
        final long[] closedAt;
        /** Written by the upstream thread. */
        final AtomicLongArray heldAt;
        final AtomicLongArray releasedAt;
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        // Client-side counters, main thread only.
        int opened;
        int connectFailed;
        int answered;
        int closedByProxy;
        final Map<String, Integer> answerStatuses = new TreeMap<>();

        Round(String name, int size, Random random) {
            this.name = name;
            this.size = size;
            tokens = new String[size];
            byToken = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                // Synapse's shape: syt_<base64 localpart>_<20 random>_<6 checksum>.
                String localpart = Base64.getEncoder().withoutPadding()
                        .encodeToString((name.charAt(0) + "user" + i).getBytes(StandardCharsets.UTF_8));
                tokens[i] = "syt_" + localpart + "_" + alphanumeric(random, 20) + "_" + alphanumeric(random, 6);
                byToken.put(tokens[i], i);
            }
            clients = new SocketChannel[size];
            closedAt = new long[size];
            heldAt = new AtomicLongArray(size);
            releasedAt = new AtomicLongArray(size);
        }

        int failures() {
            return connectFailed + answered + closedByProxy;
        }

        long lastHeldNanos() {
            long last = 0;
            for (int i = 0; i < size; i++) {
                last = Math.max(last, heldAt.get(i));
            }
            return last;
        }
    }

    /** Opens the round's connections (at most WINDOW not yet held), waits until all are held. */
    static void runHold(Round round, InetSocketAddress proxy, long fillNanos, long settleNanos) throws IOException {
        long start = System.nanoTime();
        long deadline = start + fillNanos;
        long nextLog = start + SECOND;
        ByteBuffer scratch = ByteBuffer.allocate(16 * 1024);
        try (Selector selector = Selector.open()) {
            while (System.nanoTime() < deadline && round.held.get() + round.failures() < round.size) {
                while (round.opened < round.size
                        && round.opened - round.held.get() - round.failures() < WINDOW) {
                    open(round, round.opened++, proxy, selector);
                }
                selector.select(10);
                handleClientEvents(round, selector, scratch);
                if (System.nanoTime() > nextLog) {
                    nextLog += SECOND;
                    log(round.name + ": opened " + round.opened + ", held " + round.held.get()
                            + ", failed " + round.failures());
                }
            }
            log(round.name + ": held " + round.held.get() + " of " + round.size + " after "
                    + (System.nanoTime() - start) / MS + " ms (opened " + round.opened + ", failed "
                    + round.failures() + ")");
            // Still read while settling, so an answer the proxy gives a held request is seen.
            long settleEnd = System.nanoTime() + settleNanos;
            while (System.nanoTime() < settleEnd) {
                selector.select(10);
                handleClientEvents(round, selector, scratch);
            }
            // Deregister before closing: a registered channel's close is deferred to the next select.
            for (SelectionKey key : selector.keys()) {
                key.cancel();
            }
            selector.selectNow();
        }
    }

    private static void open(Round round, int index, InetSocketAddress proxy, Selector selector) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        round.clients[index] = channel;
        ByteBuffer request = ByteBuffer.wrap(("GET /_matrix/client/v3/sync?since=s1&timeout=30000 HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Authorization: Bearer " + round.tokens[index] + "\r\n"
                + "Accept: application/json\r\n"
                + "User-Agent: LongPollLoad\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ClientConnection connection = new ClientConnection(index, request);
        try {
            if (channel.connect(proxy)) {
                channel.register(selector, SelectionKey.OP_WRITE, connection);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, connection);
            }
        } catch (IOException e) {
            round.connectFailed++;
            channel.close();
            round.clients[index] = null;
        }
    }

    record ClientConnection(int index, ByteBuffer request) {
    }

    private static void handleClientEvents(Round round, Selector selector, ByteBuffer scratch) throws IOException {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            ClientConnection connection = (ClientConnection) key.attachment();
            SocketChannel channel = (SocketChannel) key.channel();
            if (!key.isValid()) {
                continue;
            }
            try {
                if (key.isConnectable()) {
                    channel.finishConnect();
                    key.interestOps(SelectionKey.OP_WRITE);
                }
                if (key.isValid() && key.isWritable()) {
                    channel.write(connection.request());
                    if (!connection.request().hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                } else if (key.isValid() && key.isReadable()) {
                    scratch.clear();
                    int n = channel.read(scratch);
                    if (n < 0) {
                        round.closedByProxy++;
                        drop(round, connection.index(), key);
                    } else if (n > 0) {
                        // The proxy answered a request the upstream never answered: its own error.
                        round.answered++;
                        String head = new String(scratch.array(), 0, Math.min(n, 12), StandardCharsets.US_ASCII);
                        round.answerStatuses.merge(head.length() >= 12 ? head.substring(9, 12) : head, 1, Integer::sum);
                        drop(round, connection.index(), key);
                    }
                }
            } catch (IOException e) {
                if (connection.request().position() == 0) {
                    round.connectFailed++;
                } else {
                    round.closedByProxy++;
                }
                drop(round, connection.index(), key);
            }
        }
    }

    private static void drop(Round round, int index, SelectionKey key) throws IOException {
        key.cancel();
        key.channel().close();
        round.clients[index] = null;
    }

    record Release(long min, long p50, long p99, long max, int released, int notReleased, long closeLoopNanos) {
    }

    /**
     * Closes every client socket still open (normally: FIN; abortively: SO_LINGER 0, RST) and waits
     * until the upstream has seen each held request's connection end, or {@code releaseNanos} after
     * the last close.
     */
    static Release release(Round round, long releaseNanos, boolean abortive) throws InterruptedException, IOException {
        int expected = 0;
        long firstClose = System.nanoTime();
        for (int i = 0; i < round.size; i++) {
            SocketChannel channel = round.clients[i];
            if (channel != null) {
                if (abortive) {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                round.closedAt[i] = System.nanoTime();
                channel.close();
                round.clients[i] = null;
                if (round.heldAt.get(i) != 0 && round.releasedAt.get(i) == 0) {
                    expected++;
                }
            }
        }
        long lastClose = System.nanoTime();
        int releasedBefore = round.released.get();
        while (round.released.get() - releasedBefore < expected && System.nanoTime() - lastClose < releaseNanos) {
            Thread.sleep(5);
        }
        long[] times = new long[round.size];
        int released = 0;
        int notReleased = 0;
        for (int i = 0; i < round.size; i++) {
            long closed = round.closedAt[i];
            long releasedAt = round.releasedAt.get(i);
            if (closed == 0 || round.heldAt.get(i) == 0 || (releasedAt != 0 && releasedAt < closed)) {
                continue; // never held, or its upstream connection ended while held (dropped_while_held)
            }
            if (releasedAt != 0 && releasedAt - closed <= releaseNanos) {
                times[released++] = releasedAt - closed;
            } else {
                notReleased++;
            }
        }
        long[] sorted = Arrays.copyOf(times, released);
        Arrays.sort(sorted);
        return new Release(percentile(sorted, 0), percentile(sorted, 0.50), percentile(sorted, 0.99),
                released == 0 ? -1 : sorted[released - 1], released, notReleased, lastClose - firstClose);
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Reads request heads, answers /health, holds everything else until the proxy lets go. */
    static final class HoldingUpstream implements Runnable {
        private static final byte[] HEALTHY = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\nOK").getBytes(StandardCharsets.US_ASCII);
        private final Selector selector;
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
        /** Closed when the loop is idle, so closing does not delay timing other connections. */
        private final List<SocketChannel> toClose = new ArrayList<>();
        final AtomicInteger unknownRequests = new AtomicInteger();
        final AtomicInteger healthChecks = new AtomicInteger();
        volatile Round round;

        HoldingUpstream(InetSocketAddress address) throws IOException {
            selector = Selector.open();
            ServerSocketChannel server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 4096);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    if (selector.select(50) == 0) {
                        closePending();
                        continue;
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept((ServerSocketChannel) key.channel());
                        } else if (key.isReadable()) {
                            read(key);
                        }
                    }
                }
            } catch (IOException e) {
                log("upstream loop failed: " + e);
            }
        }

        private void accept(ServerSocketChannel server) throws IOException {
            SocketChannel channel;
            while ((channel = server.accept()) != null) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, new UpstreamConnection());
            }
        }

        private void read(SelectionKey key) {
            SocketChannel channel = (SocketChannel) key.channel();
            UpstreamConnection connection = (UpstreamConnection) key.attachment();
            int n;
            try {
                readBuffer.clear();
                n = channel.read(readBuffer);
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0) {
                long now = System.nanoTime();
                Round heldIn = connection.round;
                if (heldIn != null && heldIn.releasedAt.compareAndSet(connection.index, 0, now)) {
                    heldIn.released.incrementAndGet();
                }
                key.cancel();
                toClose.add(channel);
                return;
            }
            if (connection.headDone || n == 0) {
                return; // nothing expected after the head; discarded
            }
            readBuffer.flip();
            connection.append(readBuffer);
            String head = connection.head();
            if (head == null) {
                return;
            }
            connection.headDone = true;
            int space = head.indexOf(' ');
            String target = head.substring(space + 1, head.indexOf(' ', space + 1));
            if (target.startsWith("/health")) {
                healthChecks.incrementAndGet();
                try {
                    channel.write(ByteBuffer.wrap(HEALTHY));
                } catch (IOException ignored) {
                    // the checker left; nothing to answer
                }
                key.cancel();
                toClose.add(channel);
                return;
            }
            Round current = round;
            Integer index = current == null ? null : current.byToken.get(bearerToken(head));
            if (index == null) {
                unknownRequests.incrementAndGet();
                return; // held all the same, but not measured
            }
            connection.round = current;
            connection.index = index;
            if (current.heldAt.compareAndSet(index, 0, System.nanoTime())) {
                current.held.incrementAndGet();
            }
        }

        private void closePending() {
            for (SocketChannel channel : toClose) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            toClose.clear();
        }

        private static String bearerToken(String head) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("authorization")) {
                    String value = line.substring(colon + 1).trim();
                    return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value;
                }
            }
            return "";
        }
    }

    /** One connection from the proxy to the upstream: its request head so far, then what it holds. */
    static final class UpstreamConnection {
        private byte[] bytes = new byte[1024];
        private int length;
        boolean headDone;
        Round round;
        int index = -1;

        void append(ByteBuffer buffer) {
            int n = Math.min(buffer.remaining(), 64 * 1024 - length);
            if (length + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
            }
            buffer.get(bytes, length, n);
            length += n;
        }

        /** The head without its final empty line, or null while incomplete. */
        String head() {
            for (int i = 3; i < length; i++) {
                if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                    String head = new String(bytes, 0, i - 3, StandardCharsets.ISO_8859_1);
                    bytes = null; // the head is all this connection needed
                    return head;
                }
            }
            return null;
        }
    }

    private static long awaitPid(Path pidFile, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            try {
                String text = Files.readString(pidFile).trim();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            } catch (IOException | NumberFormatException notYet) {
                // the script writes it once the proxy is started
            }
            Thread.sleep(100);
        }
        throw fail("no pid in " + pidFile + " after " + timeoutNanos / SECOND + " s");
    }

    private static void awaitListening(InetSocketAddress proxy, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (System.nanoTime() < deadline) {
            try (SocketChannel probe = SocketChannel.open(proxy)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw fail("the proxy does not accept connections on " + proxy);
    }

    /**
     * The proxy's RSS at rest: the lowest of readings 250 ms apart over {@code restMillis}. A JVM's
     * compiler takes scratch memory from the C library while it compiles, and Switchboard's
     * {@code -XX:TrimNativeHeapInterval} hands it back within a second. One reading landed on
     * either side of that at random, which moved Switchboard's figure by about 1 KiB per held
     * request between identical runs. HAProxy's and NGINX's figures barely change with it.
     */
    static long rssAtRest(long pid, long restMillis) throws IOException, InterruptedException {
        long lowest = rssKib(pid);
        for (long waited = 0; waited < restMillis; waited += 250) {
            Thread.sleep(250);
            lowest = Math.min(lowest, rssKib(pid));
        }
        return lowest;
    }

    /** VmRSS of the process and its direct children (nginx's workers), in KiB. */
    static long rssKib(long pid) throws IOException {
        long total;
        try {
            total = vmRssKib(Path.of("/proc", Long.toString(pid), "status"));
        } catch (IOException gone) {
            throw fail("the proxy (pid " + pid + ") is gone");
        }
        try (var entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(fields[1]) == pid) {
                        total += vmRssKib(entry.resolve("status"));
                    }
                } catch (IOException | RuntimeException gone) {
                    // a process that ended while listing
                }
            }
        }
        return total;
    }

    private static long vmRssKib(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    private static void startWatchdog(long seconds) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("RESULT aborted=watchdog_after_" + seconds + "s");
            System.out.flush();
            System.exit(2);
        }, "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** "503:12,504:3" (status:count), or "-". */
    private static String answers(Map<String, Integer> statuses) {
        StringBuilder out = new StringBuilder();
        statuses.forEach((status, count) ->
                out.append(out.length() == 0 ? "" : ",").append(status).append(':').append(count));
        return out.length() == 0 ? "-" : out.toString();
    }

    private static String alphanumeric(Random random, int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "-" : String.format("%.1f", nanos / 1e6);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw fail("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw fail("missing --" + name);
        }
        return value;
    }

    private static IllegalStateException fail(String message) {
        log(message);
        System.out.println("RESULT aborted=" + message.replace(' ', '_'));
        System.out.flush();
        System.exit(2);
        return new IllegalStateException(message);
    }

    private static void log(String message) {
        System.err.println("[LongPollLoad] " + message);
    }
}
