package org.switchboard.systemtest.support;

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

/**
 * A TCP relay placed between the proxy and an upstream that keeps every byte the proxy sent
 * upstream, per connection, exactly as it went over the wire. {@link TinyUpstream#received()}
 * shows only what its lenient parser could make whole; the tap also shows heads the proxy
 * forwarded and then abandoned, and bytes that parser would choke on.
 */
public final class WireTap implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<ByteArrayOutputStream> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public WireTap(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "wire-tap-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String endpoint() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The bytes sent upstream so far, one array per connection, in the order they were accepted. */
    public List<byte[]> upstreamBytes() {
        return connections.stream().map(sent -> {
            synchronized (sent) {
                return sent.toByteArray();
            }
        }).toList();
    }

    /** True when any connection carried {@code text} (ISO-8859-1) towards the upstream. */
    public boolean carried(String text) {
        return upstreamBytes().stream().anyMatch(bytes -> new String(bytes, StandardCharsets.ISO_8859_1).contains(text));
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket downstream = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(downstream);
                sockets.add(upstream);
                ByteArrayOutputStream sent = new ByteArrayOutputStream();
                connections.add(sent);
                pump(downstream, upstream, sent);
                pump(upstream, downstream, null);
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Copies one direction until end of stream, then passes the end of stream on. */
    private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (record != null) {
                        synchronized (record) {
                            record.write(buffer, 0, read);
                        }
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // A reset on either side ends the relay: close both so the other side sees it too.
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "wire-tap-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
    }
}
