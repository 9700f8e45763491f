package org.switchboard.systemtest.support;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small authoritative DNS server on loopback UDP for discovery tests: SRV and A records set and
 * removed by the test, NXDOMAIN for names it does not know, SERVFAIL for everything while
 * {@link #failing} is set.
 */
public final class FakeDnsServer implements AutoCloseable {
    private static final long TTL = 5;

    private record Srv(String target, int port) {
    }

    private final Map<String, List<Srv>> srv = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> a = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean failing;
    private volatile boolean silent;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    public FakeDnsServer() throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answerer());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    /** {@code 127.0.0.1:port}, for {@code discovery.nameservers}. */
    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Replaces the SRV records of {@code name}: each {@code target:port}. */
    public void setSrv(String name, List<String> targetsAndPorts) {
        srv.put(key(name), targetsAndPorts.stream().map(text -> {
            int colon = text.lastIndexOf(':');
            return new Srv(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        }).toList());
    }

    /** Replaces the A records of {@code name}. */
    public void setA(String name, String... addresses) {
        a.put(key(name), Arrays.stream(addresses).map(FakeDnsServer::literal).toList());
    }

    public void failing(boolean fail) {
        failing = fail;
    }

    /** While set, queries are dropped unanswered (the resolver times out). */
    public void silent(boolean drop) {
        silent = drop;
    }

    public int queries() {
        return queries.get();
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text); // an IP literal: never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            queries.incrementAndGet();
            if (silent) {
                return;
            }
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setAuthoritativeAnswer(true).setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, question);
            String name = key(question.name());
            if (failing) {
                response.setCode(DnsResponseCode.SERVFAIL);
            } else if (!srv.containsKey(name) && !a.containsKey(name)) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (question.type() == DnsRecordType.SRV) {
                for (Srv record : srv.getOrDefault(name, List.of())) {
                    ByteBuf content = Unpooled.buffer();
                    content.writeShort(0).writeShort(100).writeShort(record.port());
                    writeName(content, record.target());
                    response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.SRV, TTL, content));
                }
            } else if (question.type() == DnsRecordType.A) {
                for (InetAddress address : a.getOrDefault(name, List.of())) {
                    response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, TTL,
                            Unpooled.wrappedBuffer(address.getAddress())));
                }
            }
            // Any other type of a known name: no records, no error (NOERROR/NODATA).
            ctx.writeAndFlush(response);
        }
    }

    private static void writeName(ByteBuf out, String name) {
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                out.writeByte(bytes.length).writeBytes(bytes);
            }
        }
        out.writeByte(0);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
