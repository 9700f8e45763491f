package org.switchboard.proxy.codec.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Where the frames and messages of one direction of a WebSocket connection begin and end (RFC
 * 6455 5.2, 5.4), followed across reads without holding any of them: of each frame only its
 * header is read (2 to 14 bytes, which a read may split), its payload is only counted. A proxy
 * may add a control frame of its own where one frame has ended and the next has not begun; a
 * Close, after which no data may follow, it adds between two messages, so that the peer is not
 * left with half of one.
 *
 * <p>Nothing is validated: a peer that sends nonsense only garbles its own tunnel. A length with
 * its top bit set (forbidden) counts as endless, so no frame of the proxy's is put into it.
 */
public final class FrameBoundaries {
    /** Two bytes, a 64-bit length, a masking key. */
    private static final int LONGEST_HEADER = 14;
    private static final int OPCODE_CLOSE = 0x8;

    private final byte[] header = new byte[LONGEST_HEADER];
    /** Bytes of the current frame's header seen so far; 0 between frames and in a payload. */
    private int headerSeen;
    /** The current header's whole length, known from its second byte (2 until then). */
    private int headerLength = 2;
    private long payloadLeft;
    /** The opcode of the last frame whose header was read. */
    private int lastOpcode = -1;
    /** A message's first fragment has come and its final one not yet (control frames may come between). */
    private boolean inMessage;

    /** The bytes followed so far end a frame (or none has begun). */
    public boolean atBoundary() {
        return headerSeen == 0 && payloadLeft == 0;
    }

    /** The bytes followed so far end a frame, and no fragmented message is under way. */
    public boolean betweenMessages() {
        return atBoundary() && !inMessage;
    }

    /** The last frame followed (whole, at a boundary) was a Close: its sender may send nothing after it. */
    public boolean lastWasClose() {
        return lastOpcode == OPCODE_CLOSE;
    }

    /** Follows every byte of {@code buf} from {@code from} (inclusive) to {@code to} (exclusive). */
    public void follow(ByteBuf buf, int from, int to) {
        advance(buf, from, to, false);
    }

    /**
     * Follows the bytes from {@code from} until the message in progress ends (its last frame
     * whole), and returns the index where it ended: {@code from} itself when no message is under
     * way, or -1 when it goes on past {@code to} (every byte up to {@code to} followed).
     */
    public int untilBetweenMessages(ByteBuf buf, int from, int to) {
        return advance(buf, from, to, true);
    }

    private int advance(ByteBuf buf, int from, int to, boolean stopBetweenMessages) {
        int at = from;
        while (true) {
            if (stopBetweenMessages && betweenMessages()) {
                return at;
            }
            if (payloadLeft > 0) {
                int take = (int) Math.min(payloadLeft, to - at);
                at += take;
                payloadLeft -= take;
                if (payloadLeft > 0) {
                    return stopBetweenMessages ? -1 : to;
                }
                continue;
            }
            if (at == to) {
                return stopBetweenMessages ? -1 : to;
            }
            header[headerSeen++] = buf.getByte(at++);
            if (headerSeen == 2) {
                headerLength = headerLength(header[1]);
            }
            if (headerSeen == headerLength) {
                lastOpcode = header[0] & 0x0F;
                if (lastOpcode < OPCODE_CLOSE) {
                    // A data frame (continuation, text, binary): FIN says whether its message ends here.
                    inMessage = (header[0] & 0x80) == 0;
                }
                payloadLeft = payloadLength();
                headerSeen = 0;
                headerLength = 2;
            }
        }
    }

    /** From a header's second byte: the mask bit and the 7-bit length say how long the header is. */
    private static int headerLength(byte second) {
        int length7 = second & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int mask = (second & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private long payloadLength() {
        int length7 = header[1] & 0x7F;
        if (length7 < 126) {
            return length7;
        }
        if (length7 == 126) {
            return ((header[2] & 0xFFL) << 8) | (header[3] & 0xFFL);
        }
        long length = 0;
        for (int i = 2; i < 10; i++) {
            length = (length << 8) | (header[i] & 0xFFL);
        }
        return length < 0 ? Long.MAX_VALUE : length;
    }

    /**
     * A Close frame as a server sends it (unmasked, RFC 6455 5.5.1): {@code code}, then a reason of
     * at most 123 bytes of UTF-8.
     */
    public static ByteBuf serverClose(ByteBufAllocator alloc, int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length > 123) {
            throw new IllegalArgumentException("a close reason is at most 123 bytes: " + reason);
        }
        ByteBuf frame = alloc.buffer(4 + text.length);
        frame.writeByte(0x80 | OPCODE_CLOSE); // FIN
        frame.writeByte(2 + text.length);
        frame.writeShort(code);
        frame.writeBytes(text);
        return frame;
    }
}
