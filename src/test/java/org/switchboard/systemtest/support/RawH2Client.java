package org.switchboard.systemtest.support;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/2 by prior knowledge (h2c) frame by frame, for what no well-behaved client does: floods of
 * resets, forbidden fields. Header blocks use HPACK literals without indexing only, so this needs
 * no encoder state; what comes back is read as frames, header blocks left undecoded.
 */
public final class RawH2Client implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A frame as read; for GOAWAY, {@link #errorCode()} is its error. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        public long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        public boolean endStream() {
            return (flags & 1) != 0;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    /** The server's header blocks, decoded in order (HPACK keeps state across them). */
    private final DefaultHttp2HeadersDecoder decoder =
            new DefaultHttp2HeadersDecoder(false);

    /** Connects, and sends the preface with an empty SETTINGS. */
    public RawH2Client(InetSocketAddress address) throws IOException {
        this(address, frame(SETTINGS, 0, 0, new byte[0]));
    }

    /** Connects, and sends the preface followed by {@code firstFrames} (a client's SETTINGS should be first). */
    public RawH2Client(InetSocketAddress address, byte[] firstFrames) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        ByteArrayOutputStream start = new ByteArrayOutputStream();
        start.writeBytes(PREFACE);
        start.writeBytes(firstFrames);
        out.write(start.toByteArray());
        out.flush();
    }

    /** SETTINGS with one {@code id = value} pair per two arguments. */
    public static byte[] settings(int... idsAndValues) {
        ByteBuffer payload = ByteBuffer.allocate(idsAndValues.length / 2 * 6);
        for (int i = 0; i < idsAndValues.length; i += 2) {
            payload.putShort((short) idsAndValues[i]).putInt(idsAndValues[i + 1]);
        }
        return frame(SETTINGS, 0, 0, payload.array());
    }

    public static byte[] windowUpdate(int stream, int increment) {
        return frame(WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(increment).array());
    }

    public static byte[] data(int stream, byte[] payload, boolean endStream) {
        return frame(DATA, endStream ? 0x1 : 0, stream, payload);
    }

    /** The fields of a HEADERS frame from the server (which must be read in order: HPACK has state). */
    public Http2Headers decode(Frame headers) throws Exception {
        return decoder.decodeHeaders(headers.stream(), Unpooled.wrappedBuffer(headers.payload()));
    }

    /** A header block of literal fields, {@code name, value, name, value...}, pseudo-fields first. */
    public static byte[] block(String... fields) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (int i = 0; i < fields.length; i += 2) {
            block.write(0x00); // literal without indexing, new name
            literal(block, fields[i]);
            literal(block, fields[i + 1]);
        }
        return block.toByteArray();
    }

    /** A GET of {@code path} on {@code authority}, and any extra fields. */
    public static byte[] get(String path, String... extra) {
        String[] fields = new String[8 + extra.length];
        String[] pseudo = {":method", "GET", ":scheme", "http", ":path", path, ":authority", "matrix.example.org"};
        System.arraycopy(pseudo, 0, fields, 0, 8);
        System.arraycopy(extra, 0, fields, 8, extra.length);
        return block(fields);
    }

    private static void literal(ByteArrayOutputStream block, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length > 126) {
            throw new IllegalArgumentException("short literals only");
        }
        block.write(bytes.length);
        block.writeBytes(bytes);
    }

    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        frame[5] = (byte) (stream >>> 24);
        frame[6] = (byte) (stream >>> 16);
        frame[7] = (byte) (stream >>> 8);
        frame[8] = (byte) stream;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }

    /** HEADERS with END_HEADERS, and END_STREAM when {@code endStream}. */
    public static byte[] headers(int stream, byte[] block, boolean endStream) {
        return frame(HEADERS, 0x4 | (endStream ? 0x1 : 0), stream, block);
    }

    public static byte[] reset(int stream, int errorCode) {
        return frame(RST_STREAM, 0, stream, new byte[] {(byte) (errorCode >>> 24), (byte) (errorCode >>> 16),
                (byte) (errorCode >>> 8), (byte) errorCode});
    }

    /** Closes the sending side (a FIN), as a client that leaves does. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public void send(byte[]... frames) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            all.writeBytes(frame);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /**
     * Sends {@code frames} from another thread, for floods: the server may end the connection
     * mid-way, and a reader that waited for the writer would find it reset and its GOAWAY lost.
     */
    public Thread sendInBackground(List<byte[]> frames) {
        Thread writer = new Thread(() -> {
            try {
                send(frames.toArray(new byte[0][]));
            } catch (IOException closedMidFlood) {
                // expected once the server has had enough
            }
        });
        writer.start();
        return writer;
    }

    /** The next frame, or null when the server closed the connection (or said nothing for 10 s). */
    public Frame read() throws IOException {
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new Frame(type, flags, stream, payload);
        } catch (EOFException | SocketTimeoutException | SocketException closed) {
            return null;
        }
    }

    /** Frames until one of {@code type} (returned) or the end of the connection (null). */
    public Frame readUntil(int type) throws IOException {
        for (Frame frame = read(); frame != null; frame = read()) {
            if (frame.type() == type) {
                return frame;
            }
        }
        return null;
    }

    /** The DATA frames' payloads until one ends its stream (a body may come in several, the last even empty), as text. */
    public String readBody() throws IOException {
        StringBuilder body = new StringBuilder();
        Frame data;
        do {
            data = readUntil(DATA);
            if (data == null) {
                throw new EOFException("the connection ended before the stream did; body so far: " + body);
            }
            body.append(new String(data.payload(), StandardCharsets.US_ASCII));
        } while (!data.endStream());
        return body.toString();
    }

    /** Every frame until the connection ends. */
    public List<Frame> readAll() throws IOException {
        List<Frame> frames = new ArrayList<>();
        for (Frame frame = read(); frame != null; frame = read()) {
            frames.add(frame);
        }
        return frames;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
