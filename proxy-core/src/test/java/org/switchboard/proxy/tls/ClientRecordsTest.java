package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The record watch of a handshake: the client's last plaintext alert, over reads split anywhere. */
class ClientRecordsTest {
    private static final byte[] CLIENT_HELLO = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
    /** A TLS 1.3 record with a protected body whose bytes look like an alert's; not read as one. */
    private static final byte[] PROTECTED = {0x17, 0x03, 0x03, 0x00, 0x03, 0x02, 0x30, 0x15};
    private static final byte[] UNKNOWN_CA = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30};
    /** An alert of TLS 1.2 after ChangeCipherSpec: encrypted, longer than two bytes; not read. */
    private static final byte[] ENCRYPTED_ALERT = {0x15, 0x03, 0x03, 0x00, 0x03, 0x01, 0x02, 0x03};

    @Test
    void theAlertAfterOtherRecordsIsFoundAtEverySplitPoint() {
        byte[] stream = concat(CLIENT_HELLO, PROTECTED, UNKNOWN_CA);
        for (int first = 0; first <= stream.length; first++) {
            for (int second = first; second <= stream.length; second++) {
                ClientRecords records = new ClientRecords();
                records.scan(Unpooled.wrappedBuffer(stream, 0, first));
                records.scan(Unpooled.wrappedBuffer(stream, first, second - first));
                records.scan(Unpooled.wrappedBuffer(stream, second, stream.length - second));
                assertEquals(48, records.alert(), "split at " + first + " and " + second);
            }
        }
    }

    @Test
    void recordsWithoutAPlaintextAlertLeaveNone() {
        ClientRecords records = new ClientRecords();
        records.scan(Unpooled.wrappedBuffer(concat(CLIENT_HELLO, PROTECTED, ENCRYPTED_ALERT)));
        assertEquals(ClientRecords.NO_ALERT, records.alert());
        records.scan(Unpooled.wrappedBuffer(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02})); // the alert not yet whole
        assertEquals(ClientRecords.NO_ALERT, records.alert());
    }

    @Test
    void bytesPassOnUntouchedAndAnEmptyConnectionSawNothing() {
        ClientRecords records = new ClientRecords();
        EmbeddedChannel channel = new EmbeddedChannel(records);
        assertFalse(records.sawBytes());
        channel.writeInbound(Unpooled.wrappedBuffer(UNKNOWN_CA));
        ByteBuf passed = channel.readInbound();
        assertEquals(Unpooled.wrappedBuffer(UNKNOWN_CA), passed);
        assertEquals(0, passed.readerIndex());
        passed.release();
        assertTrue(records.sawBytes());
        assertEquals(48, records.alert());
        channel.finishAndReleaseAll();
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
