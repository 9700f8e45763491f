package org.switchboard.proxy.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SRV records as a real DNS server sends them, whole responses through Netty's decoder. */
class DnsLookupTest {

    /**
     * RFC 2782 asks servers not to compress SRV targets, but common ones (CoreDNS among them) do:
     * the target then ends in a pointer into the question name.
     */
    @Test
    void aCompressedSrvTargetDecodesToTheWholeName() {
        ByteBuf message = Unpooled.buffer();
        message.writeShort(7).writeShort(0x8180).writeShort(1).writeShort(2).writeShort(0).writeShort(0);
        int questionName = message.writerIndex(); // 12
        writeLabels(message, "_http", "_tcp", "sync", "matrix", "local");
        message.writeByte(0).writeShort(33).writeShort(1);
        int syncSuffix = questionName + 1 + "_http".length() + 1 + "_tcp".length(); // "sync.matrix.local"
        for (String[] answer : new String[][] {{"pod-1", "8083"}, {"pod-2", "8084"}}) {
            message.writeShort(0xC000 | questionName).writeShort(33).writeShort(1).writeInt(5);
            int lengthAt = message.writerIndex();
            message.writeShort(0);
            int start = message.writerIndex();
            message.writeShort(0).writeShort(100).writeShort(Integer.parseInt(answer[1]));
            writeLabels(message, answer[0]);
            message.writeShort(0xC000 | syncSuffix);
            message.setShort(lengthAt, message.writerIndex() - start);
        }
        EmbeddedChannel channel = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        channel.writeInbound(new DatagramPacket(message, new InetSocketAddress("127.0.0.1", 40000),
                new InetSocketAddress("127.0.0.1", 53)));
        DnsResponse response = channel.readInbound();
        try {
            List<DnsRecord> records = new ArrayList<>();
            for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
                records.add(response.recordAt(DnsSection.ANSWER, i));
            }

            assertEquals(List.of(new DnsLookup.Service("pod-1.sync.matrix.local", 8083),
                    new DnsLookup.Service("pod-2.sync.matrix.local", 8084)), DnsLookup.services(records));
        } finally {
            response.release();
            channel.finishAndReleaseAll();
        }
    }

    private static void writeLabels(ByteBuf out, String... labels) {
        for (String label : labels) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.writeByte(bytes.length).writeBytes(bytes);
        }
    }
}
