package org.switchboard.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.codec.http1.HeadWriter;

/**
 * A Matrix request head (Element's /sync, 474 bytes, 9 fields) from read buffer to upstream
 * bytes: Netty's decoder, the header edits and its encoder (the codec path), against one index
 * pass and one copy into a pooled buffer (the byte path). Allocation with {@code -prof gc}.
 * Run: java -jar benchmarks/target/benchmarks.jar RequestHead -prof gc
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class RequestHeadBenchmark {
    static final byte[] SYNC_HEAD = ("GET /_matrix/client/v3/sync?filter=0&timeout=30000&since=s72594_4483_1934_1_34_2_1_1_1"
            + " HTTP/1.1\r\nHost: matrix.example.org\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"
            + " (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\nAccept: application/json\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\nAccept-Language: en-GB,en;q=0.9\r\n"
            + "Authorization: Bearer syt_YWxpY2U_ZXhhbXBsZXRva2VuZm9yYmVuY2g_0a1b2c\r\n"
            + "Origin: https://app.element.io\r\nReferer: https://app.element.io/\r\nConnection: keep-alive\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final HeadIndex index = new HeadIndex(8 * 1024 + 32, 32 * 1024);
    private final byte[] scratch = new byte[8 * 1024 + 32 * 1024 + 64];
    private ByteBuf read;
    private EmbeddedChannel decoder;
    private EmbeddedChannel encoder;

    @Setup(Level.Trial)
    public void setUp() {
        read = PooledByteBufAllocator.DEFAULT.directBuffer(SYNC_HEAD.length).writeBytes(SYNC_HEAD);
        decoder = new EmbeddedChannel(new HttpRequestDecoder());
        encoder = new EmbeddedChannel(new HttpRequestEncoder());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        read.release();
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
    }

    /** The byte path: copy into the loop's scratch array, index, write the upstream head. */
    @Benchmark
    public int indexAndRewrite() {
        int length = read.readableBytes();
        read.getBytes(read.readerIndex(), scratch, 0, length);
        int end = index.parseRequest(scratch, 0, length);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(HeadWriter.requestCapacity(index, "203.0.113.7", "0123456789abcdef0123456789abcdef"));
        HeadWriter.writeRequest(index, false, "203.0.113.7", "https", "0123456789abcdef0123456789abcdef", out);
        int written = out.readableBytes();
        out.release();
        return end + written;
    }

    /** The index pass alone. */
    @Benchmark
    public int indexOnly() {
        return index.parseRequest(SYNC_HEAD, 0, SYNC_HEAD.length);
    }

    /** The codec path: decode into objects, edit the forwarding and hop-by-hop headers, encode. */
    @Benchmark
    public int nettyDecodeEditEncode() {
        decoder.writeInbound(read.retainedDuplicate());
        HttpRequest request = decoder.readInbound();
        Object last = decoder.readInbound();
        ReferenceCountUtil.release(last);
        request.headers().remove(HttpHeaderNames.CONNECTION);
        request.headers().set("x-forwarded-for", "203.0.113.7");
        request.headers().set("x-forwarded-proto", "https");
        request.headers().set("x-request-id", "0123456789abcdef0123456789abcdef");
        encoder.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        int written = 0;
        for (Object out; (out = encoder.readOutbound()) != null; ) {
            written += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        return written;
    }

    static {
        // Keep Unpooled loaded the same way in both paths.
        Unpooled.buffer(0).release();
    }
}
