package org.switchboard.proxy.codec.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FrameBoundariesTest {
    /**
     * A stream of frames of every header form, masked and not: whole messages, messages in
     * fragments with pings between them; where each frame ends, and where no message is under way.
     */
    private record Stream(byte[] bytes, TreeSet<Integer> frameEnds, TreeSet<Integer> betweenMessages) {
    }

    private static Stream frames(long seed, int count) {
        Random random = new Random(seed);
        int[] lengths = {0, 1, 5, 125, 126, 127, 200, 65535, 65536, 70000};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeSet<Integer> frameEnds = new TreeSet<>();
        TreeSet<Integer> betweenMessages = new TreeSet<>();
        betweenMessages.add(0);
        boolean inMessage = false;
        for (int i = 0; i < count; i++) {
            int first;
            int kind = random.nextInt(3);
            if (kind == 0) {
                first = 0x89; // a ping, allowed between fragments
            } else if (inMessage) {
                first = kind == 1 ? 0x00 : 0x80; // a continuation, or the final one
            } else {
                first = kind == 1 ? 0x01 : 0x82; // a text message's first fragment, or a whole binary one
            }
            boolean control = (first & 0x0F) >= 0x8;
            int length = control ? random.nextInt(126)
                    : random.nextBoolean() ? lengths[random.nextInt(lengths.length)] : random.nextInt(300);
            boolean masked = random.nextBoolean();
            out.write(first);
            int maskBit = masked ? 0x80 : 0;
            if (length < 126) {
                out.write(maskBit | length);
            } else if (length < 65536) {
                out.write(maskBit | 126);
                out.write(length >>> 8);
                out.write(length);
            } else {
                out.write(maskBit | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) ((long) length >>> shift));
                }
            }
            if (masked) {
                out.write(new byte[] {1, 2, 3, 4}, 0, 4);
            }
            byte[] payload = new byte[length];
            random.nextBytes(payload); // payload bytes that look like headers must not confuse it
            out.write(payload, 0, length);
            if (!control) {
                inMessage = (first & 0x80) == 0;
            }
            frameEnds.add(out.size());
            if (!inMessage) {
                betweenMessages.add(out.size());
            }
        }
        return new Stream(out.toByteArray(), frameEnds, betweenMessages);
    }

    @Test
    void frameAndMessageBoundariesAreSeenWhereverTheStreamIsSplit() {
        Stream stream = frames(1, 16);
        ByteBuf buf = Unpooled.wrappedBuffer(stream.bytes());
        int length = stream.bytes().length;
        for (int split = 0; split <= length; split++) {
            FrameBoundaries frames = new FrameBoundaries();
            frames.follow(buf, 0, split);
            assertEquals(split == 0 || stream.frameEnds().contains(split), frames.atBoundary(), "split at " + split);
            assertEquals(stream.betweenMessages().contains(split), frames.betweenMessages(), "split at " + split);
            frames.follow(buf, split, length);
            assertTrue(frames.atBoundary(), "the whole stream ends a frame; split at " + split);
        }
    }

    @Test
    void untilBetweenMessagesStopsWhereTheMessageInProgressEnds() {
        for (long seed = 2; seed < 40; seed++) {
            Stream stream = frames(seed, 10);
            ByteBuf buf = Unpooled.wrappedBuffer(stream.bytes());
            int length = stream.bytes().length;
            Random random = new Random(seed);
            for (int trial = 0; trial < 200; trial++) {
                int at = random.nextInt(length + 1);
                FrameBoundaries frames = new FrameBoundaries();
                frames.follow(buf, 0, at);
                // Fed in pieces of random size, as reads come.
                int found = frames.untilBetweenMessages(buf, at, at);
                int from = at;
                while (from < length && found < 0) {
                    int to = Math.min(length, from + 1 + random.nextInt(3000));
                    found = frames.untilBetweenMessages(buf, from, to);
                    from = to;
                }
                Integer expected = stream.betweenMessages().ceiling(at);
                assertEquals(expected == null ? -1 : expected, found, "seed " + seed + ", from " + at);
                if (found >= 0) {
                    assertTrue(frames.betweenMessages());
                }
            }
        }
    }

    @Test
    void aLengthWithItsTopBitSetNeverEnds() {
        byte[] header = {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
        FrameBoundaries frames = new FrameBoundaries();
        ByteBuf buf = Unpooled.wrappedBuffer(header, new byte[100_000]);
        frames.follow(buf, 0, header.length);
        assertEquals(-1, frames.untilBetweenMessages(buf, header.length, buf.writerIndex()));
        assertFalse(frames.atBoundary());
    }

    @Test
    void theServersCloseFrameIsUnmaskedWithItsCodeAndReason() {
        ByteBuf close = FrameBoundaries.serverClose(Unpooled.buffer().alloc(), 1001, "bye");
        assertArrayEquals(new byte[] {(byte) 0x88, 5, 0x03, (byte) 0xE9, 'b', 'y', 'e'}, ByteBufUtil.getBytes(close));
        FrameBoundaries frames = new FrameBoundaries();
        frames.follow(close, 0, 3);
        assertFalse(frames.atBoundary());
        frames.follow(close, 3, close.writerIndex());
        assertTrue(frames.atBoundary() && frames.lastWasClose());
        ByteBuf text = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 1, 'x'});
        frames.follow(text, 0, 3);
        assertTrue(frames.atBoundary() && !frames.lastWasClose());
    }
}
