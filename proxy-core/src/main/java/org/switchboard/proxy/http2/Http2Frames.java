package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** The frame layout of RFC 9113 section 4.1: what the connection writes, byte by byte. */
final class Http2Frames {
    static final byte DATA = 0x0;
    static final byte HEADERS = 0x1;
    static final byte RST_STREAM = 0x3;
    static final byte SETTINGS = 0x4;
    static final byte PING = 0x6;
    static final byte GOAWAY = 0x7;
    static final byte WINDOW_UPDATE = 0x8;
    static final byte CONTINUATION = 0x9;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;

    static final int HEADER_LENGTH = 9;
    /** The largest frame payload a peer must accept (SETTINGS_MAX_FRAME_SIZE's initial value); never more is sent. */
    static final int MAX_PAYLOAD = 16_384;
    /** The initial window of every stream and of the connection (RFC 9113 6.9.2). */
    static final int DEFAULT_WINDOW = 65_535;
    static final int MAX_WINDOW = Integer.MAX_VALUE;

    static final byte[] CLIENT_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    private Http2Frames() {
    }

    static void header(ByteBuf out, int payloadLength, byte type, int flags, int streamId) {
        out.writeMedium(payloadLength);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(streamId);
    }

    /** The server's SETTINGS: the limits the client must keep to. */
    static void settings(ByteBuf out, int maxConcurrentStreams, int initialWindow, int maxHeaderList) {
        header(out, 18, SETTINGS, 0, 0);
        out.writeShort(SETTINGS_MAX_CONCURRENT_STREAMS).writeInt(maxConcurrentStreams);
        out.writeShort(SETTINGS_INITIAL_WINDOW_SIZE).writeInt(initialWindow);
        out.writeShort(SETTINGS_MAX_HEADER_LIST_SIZE).writeInt(maxHeaderList);
    }

    static void settingsAck(ByteBuf out) {
        header(out, 0, SETTINGS, ACK, 0);
    }

    static void pingAck(ByteBuf out, long data) {
        header(out, 8, PING, ACK, 0);
        out.writeLong(data);
    }

    static void windowUpdate(ByteBuf out, int streamId, int increment) {
        header(out, 4, WINDOW_UPDATE, 0, streamId);
        out.writeInt(increment);
    }

    static void reset(ByteBuf out, int streamId, long errorCode) {
        header(out, 4, RST_STREAM, 0, streamId);
        out.writeInt((int) errorCode);
    }

    static void goAway(ByteBuf out, int lastStreamId, long errorCode, byte[] debug) {
        header(out, 8 + debug.length, GOAWAY, 0, 0);
        out.writeInt(lastStreamId);
        out.writeInt((int) errorCode);
        out.writeBytes(debug);
    }

    /** A header block as HEADERS and, past the frame size, CONTINUATION frames. */
    static void headerBlock(ByteBuf out, int streamId, ByteBuf block, boolean endStream) {
        int first = Math.min(block.readableBytes(), MAX_PAYLOAD);
        boolean whole = first == block.readableBytes();
        header(out, first, HEADERS, (endStream ? END_STREAM : 0) | (whole ? END_HEADERS : 0), streamId);
        out.writeBytes(block, first);
        while (block.isReadable()) {
            int next = Math.min(block.readableBytes(), MAX_PAYLOAD);
            header(out, next, CONTINUATION, next == block.readableBytes() ? END_HEADERS : 0, streamId);
            out.writeBytes(block, next);
        }
    }
}
