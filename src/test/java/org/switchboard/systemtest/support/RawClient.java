package org.switchboard.systemtest.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** A client that writes exact bytes and reads responses as they come off the wire. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(InetSocketAddress address) throws IOException {
        this(address, null);
    }

    /** Connects from {@code localAddress} (e.g. 127.0.0.2, to be a "trusted proxy"), or any. */
    public RawClient(InetSocketAddress address, InetAddress localAddress) throws IOException {
        this.socket = localAddress == null ? new Socket(address.getAddress(), address.getPort())
                : new Socket(address.getAddress(), address.getPort(), localAddress, 0);
        this.socket.setSoTimeout(10_000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Over a socket already connected (a TLS socket, for one). */
    public RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(10_000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    public RawClient send(String text) throws IOException {
        return send(HttpWire.ascii(text));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public OutputStream output() {
        return out;
    }

    /** A whole response; the body is read by its framing, or to the close for neither. */
    public Response readResponse() throws IOException {
        HttpWire.Head head = HttpWire.readHead(in);
        if (head == null) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status = Integer.parseInt(head.startLineParts()[1]);
        boolean noBody = status == 204 || status == 304 || status / 100 == 1;
        if (!noBody) {
            HttpWire.readBody(in, head, body, true);
        }
        return new Response(head, status, body.toString(StandardCharsets.UTF_8));
    }

    /** A response head only, for responses to HEAD or when the body is read separately. */
    public HttpWire.Head readHead() throws IOException {
        return HttpWire.readHead(in);
    }

    public InputStream input() {
        return in;
    }

    /** True when the peer has closed: the next read sees end of stream. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public record Response(HttpWire.Head head, int status, String body) {
        public String header(String name) {
            return head.header(name);
        }
    }
}
