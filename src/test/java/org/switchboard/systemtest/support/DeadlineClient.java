package org.switchboard.systemtest.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Like {@link RawClient}, for bytes the proxy may refuse: a short read deadline of the test's
 * choosing, writes that may meet a closed connection, and an answer that tells a response, a
 * close and silence apart instead of throwing.
 */
public final class DeadlineClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** What came back: a whole response, or a close before one, or nothing by the deadline. */
    public record Reply(RawClient.Response response, boolean closed, boolean timedOut) {
        public int status() {
            return response == null ? -1 : response.status();
        }

        @Override
        public String toString() {
            if (response != null) {
                return response.head().startLine() + " " + response.body();
            }
            return timedOut ? "no answer before the deadline" : "closed without a response";
        }
    }

    public DeadlineClient(InetSocketAddress address, Duration deadline) throws IOException {
        this.socket = new Socket(address.getAddress(), address.getPort());
        this.socket.setSoTimeout((int) deadline.toMillis());
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Changes the read deadline, for example to wait longer once our side has ended. */
    public void deadline(Duration deadline) throws IOException {
        socket.setSoTimeout((int) deadline.toMillis());
    }

    /** Writes the bytes; false when the proxy had already closed (it may refuse before reading all). */
    public boolean send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Ends our side: a proxy waiting for more of a request now knows none will come. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException closed) {
            // Already closed by the peer.
        }
    }

    public Reply awaitReply() {
        try {
            HttpWire.Head head = HttpWire.readHead(in);
            if (head == null) {
                return new Reply(null, true, false);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int status = Integer.parseInt(head.startLineParts()[1]);
            if (status != 204 && status != 304 && status / 100 != 1) {
                HttpWire.readBody(in, head, body, true);
            }
            return new Reply(new RawClient.Response(head, status, body.toString(StandardCharsets.UTF_8)), false, false);
        } catch (SocketTimeoutException silent) {
            return new Reply(null, false, true);
        } catch (EOFException | SocketException closed) {
            return new Reply(null, true, false);
        } catch (IOException | RuntimeException unreadable) {
            // Not HTTP the test can read: count it as an answer that ended the exchange.
            return new Reply(null, true, false);
        }
    }

    /** True when the peer closes (or has closed) before the deadline. */
    public boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
