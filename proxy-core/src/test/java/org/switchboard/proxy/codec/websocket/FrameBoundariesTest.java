package org.switchboard.proxy.codec.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FrameBoundariesTest {
    /** A stream of frames of every header form, and the offsets where each one ends. */
    private record Stream(byte[] bytes, TreeSet<Integer> ends) {
    }

    private static Stream frames(long seed, int count) {
        Random random = new Random(seed);
        int[] lengths = {0, 1, 5, 125, 126, 127, 200, 65535, 65536, 70000};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeSet<Integer> ends = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            int length = random.nextBoolean() ? lengths[random.nextInt(lengths.length)] : random.nextInt(300);
            boolean masked = random.nextBoolean();
            out.write(random.nextBoolean() ? 0x82 : 0x01); // a whole binary message, or a first fragment
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
            ends.add(out.size());
        }
        return new Stream(out.toByteArray(), ends);
    }

    @Test
    void aBoundaryIsSeenWhereverTheStreamIsSplit() {
        Stream stream = frames(1, 12);
        ByteBuf buf = Unpooled.wrappedBuffer(stream.bytes());
        int length = stream.bytes().length;
        for (int split = 0; split <= length; split++) {
            FrameBoundaries frames = new FrameBoundaries();
            frames.follow(buf, 0, split);
            assertEquals(split == 0 || stream.ends().contains(split), frames.atBoundary(), "split at " + split);
            frames.follow(buf, split, length);
            assertTrue(frames.atBoundary(), "the whole stream ends a frame; split at " + split);
        }
    }

    @Test
    void untilBoundaryStopsWhereTheFrameInProgressEnds() {
        for (long seed = 2; seed < 40; seed++) {
            Stream stream = frames(seed, 8);
            ByteBuf buf = Unpooled.wrappedBuffer(stream.bytes());
            int length = stream.bytes().length;
            Random random = new Random(seed);
            for (int trial = 0; trial < 200; trial++) {
                int at = random.nextInt(length + 1);
                FrameBoundaries frames = new FrameBoundaries();
                frames.follow(buf, 0, at);
                // Fed in pieces of random size, as reads come.
                int found = -1;
                int from = at;
                while (from < length && found < 0) {
                    int to = Math.min(length, from + 1 + random.nextInt(3000));
                    found = frames.untilBoundary(buf, from, to);
                    from = to;
                }
                if (at == length) {
                    found = frames.untilBoundary(buf, at, at);
                }
                int expected = at == 0 || stream.ends().contains(at) ? at : stream.ends().ceiling(at);
                assertEquals(expected, found, "seed " + seed + ", from " + at);
                assertTrue(frames.atBoundary());
            }
        }
    }

    @Test
    void aLengthWithItsTopBitSetNeverEnds() {
        byte[] header = {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
        FrameBoundaries frames = new FrameBoundaries();
        ByteBuf buf = Unpooled.wrappedBuffer(header, new byte[100_000]);
        frames.follow(buf, 0, header.length);
        assertEquals(-1, frames.untilBoundary(buf, header.length, buf.writerIndex()));
        assertTrue(!frames.atBoundary());
    }

    @Test
    void theServersCloseFrameIsUnmaskedWithItsCodeAndReason() {
        ByteBuf close = FrameBoundaries.serverClose(Unpooled.buffer().alloc(), 1001, "bye");
        assertArrayEquals(new byte[] {(byte) 0x88, 5, 0x03, (byte) 0xE9, 'b', 'y', 'e'}, ByteBufUtil.getBytes(close));
        FrameBoundaries frames = new FrameBoundaries();
        frames.follow(close, 0, 3);
        assertTrue(!frames.atBoundary());
        frames.follow(close, 3, close.writerIndex());
        assertTrue(frames.atBoundary() && frames.lastWasClose());
        ByteBuf text = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 1, 'x'});
        frames.follow(text, 0, 3);
        assertTrue(frames.atBoundary() && !frames.lastWasClose());
    }
}
