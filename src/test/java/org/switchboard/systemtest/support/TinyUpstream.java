package org.switchboard.systemtest.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A tiny real HTTP/1.1 upstream for what WireMock cannot show: raw request-targets and header
 * names as received, connection counts, held long polls that notice the proxy closing, and
 * responses cut off mid-body. One thread per connection; bodies are counted, and the first
 * 64 KiB kept.
 */
public final class TinyUpstream implements AutoCloseable {
    private static final int KEPT_BODY_BYTES = 64 * 1024;

    /** What to do with one request; return false to close the connection afterwards. */
    public interface Behavior {
        boolean respond(Received request, OutputStream out, InputStream in) throws IOException;
    }

    /** A request as received: its head, its body's length, first 64 KiB and CRC-32 (of all of it). */
    public record Received(HttpWire.Head head, long bodyBytes, byte[] keptBody, long bodyCrc) {
        public String target() {
            return head.startLineParts()[1];
        }

        public String method() {
            return head.startLineParts()[0];
        }

        public String body() {
            return new String(keptBody, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final Behavior behavior;
    private final boolean handlesHealth;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger connectionsClosedByPeer = new AtomicInteger();

    /** Answers the proxy's health checks itself (not recorded, not counted); the behavior sees the rest. */
    public TinyUpstream(Behavior behavior) throws IOException {
        this(behavior, false);
    }

    /** @param handlesHealth true: {@code GET /health} goes to the behavior and is recorded like any request */
    public TinyUpstream(Behavior behavior, boolean handlesHealth) throws IOException {
        this(behavior, handlesHealth, InetAddress.getLoopbackAddress(), 0);
    }

    /** Bound to {@code address:port} (another loopback address: a pod that moved to a new IP). */
    public TinyUpstream(Behavior behavior, boolean handlesHealth, InetAddress address, int port) throws IOException {
        this.behavior = behavior;
        this.handlesHealth = handlesHealth;
        this.server = new ServerSocket(port, 128, address);
        Thread acceptor = new Thread(this::acceptLoop, "tiny-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers 200 with {@code name} as the body, keeping the connection alive. */
    public static Behavior answering(String name) {
        return (request, out, in) -> {
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length + "\r\n\r\n"));
            out.write(body);
            out.flush();
            return true;
        };
    }

    /** Answers 200 with a small body naming the request, keeping the connection alive. */
    public static Behavior echoTarget() {
        return (request, out, in) -> {
            byte[] body = ("served " + request.method() + " " + request.target()).getBytes(StandardCharsets.UTF_8);
            out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length + "\r\n\r\n"));
            if (!request.method().equals("HEAD")) {
                out.write(body);
            }
            out.flush();
            return true;
        };
    }

    /** Never answers: waits until the proxy closes the connection (a held long poll). */
    public static final class Hold implements Behavior {
        private final AtomicInteger held = new AtomicInteger();
        private final AtomicInteger released = new AtomicInteger();

        @Override
        public boolean respond(Received request, OutputStream out, InputStream in) throws IOException {
            held.incrementAndGet();
            try {
                while (in.read() >= 0) {
                    // Nothing more should come; wait for the proxy to close.
                }
            } finally {
                released.incrementAndGet();
            }
            return false;
        }

        public int held() {
            return held.get();
        }

        /** Held requests whose connection the proxy closed. */
        public int released() {
            return released.get();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String endpoint() {
        return server.getInetAddress().getHostAddress() + ":" + port();
    }

    public List<Received> received() {
        return received;
    }

    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Connections the proxy closed between requests (end of stream where a request could start). */
    public int connectionsClosedByPeer() {
        return connectionsClosedByPeer.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread worker = new Thread(() -> serve(socket), "tiny-upstream-conn");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            boolean counted = false;
            while (true) {
                HttpWire.Head head = HttpWire.readHead(in);
                if (head == null) {
                    if (counted) {
                        connectionsClosedByPeer.incrementAndGet();
                    }
                    return;
                }
                if ("100-continue".equalsIgnoreCase(head.header("Expect"))) {
                    // As Synapse's Twisted does: the go-ahead before reading the body.
                    out.write(HttpWire.ascii("HTTP/1.1 100 Continue\r\n\r\n"));
                    out.flush();
                }
                KeepingSink sink = new KeepingSink();
                long bodyBytes = HttpWire.readBody(in, head, sink, false);
                Received request = new Received(head, bodyBytes, sink.kept.toByteArray(), sink.crc.getValue());
                if (!handlesHealth && request.target().equals("/health")) {
                    out.write(HttpWire.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"));
                    out.flush();
                    continue;
                }
                if (!counted) {
                    // Counted at their first real request: the proxy's health probes do not count.
                    counted = true;
                    connectionsAccepted.incrementAndGet();
                }
                received.add(request);
                if (!behavior.respond(request, out, in)) {
                    return;
                }
            }
        } catch (IOException e) {
            // Reset or closed by us: the connection is over either way.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private static final class KeepingSink extends OutputStream {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        final CRC32 crc = new CRC32();

        @Override
        public void write(int b) {
            crc.update(b);
            if (kept.size() < KEPT_BODY_BYTES) {
                kept.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            crc.update(b, off, len);
            int room = KEPT_BODY_BYTES - kept.size();
            if (room > 0) {
                kept.write(b, off, Math.min(room, len));
            }
        }
    }
}
