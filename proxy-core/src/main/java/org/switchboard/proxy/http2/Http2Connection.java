package org.switchboard.proxy.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.List;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;
import org.switchboard.proxy.codec.http1.Http1Scratch;
import org.switchboard.proxy.http.ConnectionClock;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.Peer;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.http.RequestGate;
import org.switchboard.proxy.stats.AccessLog;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;

/**
 * An HTTP/2 client connection: Netty's frame codec (with its limits set here, explicitly), then
 * this handler, which hands each stream's frames to its {@link Http2ServerStream} (a plain
 * object, not a channel: a child channel per stream cost a pipeline, a registration and close
 * events per request) feeding the same request journey as HTTP/1, and keeps what belongs to the
 * connection: its idle timeout, the drain's GOAWAY, and its counts.
 */
public final class Http2Connection extends ChannelInboundHandlerAdapter {
    /** Concurrent streams a client may open (SETTINGS_MAX_CONCURRENT_STREAMS). */
    public static final int MAX_CONCURRENT_STREAMS = 100;
    /** Each stream's receive window: a media upload streams at full speed, and at most this waits per stream. */
    public static final int STREAM_WINDOW = 256 * 1024;
    /** The connection's receive window, shared by its streams. */
    public static final int CONNECTION_WINDOW = 1024 * 1024;
    /** RST_STREAM frames a client may send per window before the connection ends (rapid reset, CVE-2023-44487). */
    public static final int MAX_RESETS = 200;
    public static final int RESET_WINDOW_SECONDS = 30;
    /** Small CONTINUATION frames in a row before the connection ends (CONTINUATION flood). */
    public static final int MAX_SMALL_CONTINUATIONS = 16;
    /** Control frames (PING/SETTINGS acks, RST) queued unsent before the connection ends (flood of frames needing an answer). */
    public static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** Empty DATA frames in a row before the connection ends. */
    public static final int MAX_EMPTY_DATA_FRAMES = 2;
    private static final int DEFAULT_WINDOW = 65_535;

    final Supplier<ProxySnapshot> snapshots;
    final UpstreamConnectionPool pool;
    final Http1Scratch scratch;
    final String listener;
    final ProxyMetrics metrics;
    final AccessLog accessLog;
    /** Answers before routing (421 for another certificate's host); null when none. */
    final RequestGate gate;
    final String scheme;
    final byte[] schemeAscii;

    /** Known from the connection's first stream on. */
    private Peer peer;

    private final Http2FrameCodec codec;
    /** The streams open on this connection, by id. */
    private final IntObjectHashMap<Http2ServerStream> streams = new IntObjectHashMap<>();
    /** Streams that wrote request body upstream during the current read, flushed once at its end. */
    private final List<Http2ServerStream> toFlush = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private ConnectionClock clock;
    private long idleSinceNanos;
    private boolean goingAway;
    /** A flush is queued behind this event-loop round's I/O (see {@link #flushSoon()}). */
    private boolean flushQueued;
    private final Runnable queuedFlush = () -> {
        flushQueued = false;
        ctx.flush();
    };

    private Http2Connection(Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool, Http1Scratch scratch,
                            String scheme, String listener, ProxyMetrics metrics, AccessLog accessLog, RequestGate gate,
                            Http2FrameCodec codec) {
        this.snapshots = snapshots;
        this.pool = pool;
        this.scratch = scratch;
        this.scheme = scheme;
        this.schemeAscii = scheme.getBytes(StandardCharsets.US_ASCII);
        this.listener = listener;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.gate = gate;
        this.codec = codec;
    }

    /** Makes {@code pipeline} (TLS done, or a plain connection that sent the HTTP/2 preface) an HTTP/2 server connection. */
    public static void install(ChannelPipeline pipeline, Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool,
                               Http1Scratch scratch, String scheme, String listener, ProxyMetrics metrics,
                               AccessLog accessLog, RequestGate gate) {
        int headerList = snapshots.get().spec().limits().requestHeaders();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(headerList))
                .validateHeaders(true)
                // A close is a close: a drain and the idle timeout send their GOAWAY themselves.
                .decoupleCloseAndGoAway(true)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RESETS, RESET_WINDOW_SECONDS)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .build();
        Http2Connection connection = new Http2Connection(snapshots, pool, scratch, scheme, listener, metrics, accessLog,
                gate, codec);
        pipeline.addLast("h2-linger", new LingeringClose())
                .addLast("h2", codec)
                .addLast("h2-connection", connection);
    }

    /** The limits, as the start line states them. */
    public static String describeLimits(int headerList) {
        return "HTTP/2: " + MAX_CONCURRENT_STREAMS + " streams per connection, windows " + STREAM_WINDOW / 1024
                + " KiB per stream and " + CONNECTION_WINDOW / 1024 + " KiB per connection, header list "
                + headerList + " bytes, at most " + MAX_RESETS + " resets per " + RESET_WINDOW_SECONDS + " s, "
                + MAX_SMALL_CONTINUATIONS + " small CONTINUATION frames, " + MAX_EMPTY_DATA_FRAMES + " empty DATA frames in a row, "
                + MAX_QUEUED_CONTROL_FRAMES + " queued control frames";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clock = new ConnectionClock(ctx.executor(), this::tick);
        // HTTP/2 reads all the time: each stream's flow control paces its body, not the socket.
        ctx.channel().config().setAutoRead(true);
        metrics.http2ConnectionOpened();
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                streamClosed();
            }

            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                if (errorCode != Http2Error.NO_ERROR.code()) {
                    Http2Error error = Http2Error.valueOf(errorCode);
                    metrics.http2GoAway(error == null ? Long.toString(errorCode) : error.name().toLowerCase(Locale.ROOT));
                }
            }
        });
        // The connection window starts at 64 KiB whatever SETTINGS say (RFC 9113 6.9.2): widen it.
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - DEFAULT_WINDOW), ctx.voidPromise());
        idleSinceNanos = now();
        clock.by(idleSinceNanos + snapshots.get().timeouts().downstreamIdle().toNanos());
    }

    private void streamClosed() {
        if (codec.connection().numActiveStreams() == 0) {
            idleSinceNanos = now();
            if (goingAway) {
                ctx.close();
                return;
            }
            clock.by(idleSinceNanos + snapshots.get().timeouts().downstreamIdle().toNanos());
        }
    }

    /** Closes the connection once no stream has been open for {@code timeouts.downstreamIdle}. */
    private long tick(long now) {
        if (!ctx.channel().isActive()) {
            return Long.MAX_VALUE;
        }
        if (codec.connection().numActiveStreams() > 0) {
            return Long.MAX_VALUE; // looked at again when the last stream closes
        }
        long due = idleSinceNanos + snapshots.get().timeouts().downstreamIdle().toNanos();
        if (now >= due) {
            goAway();
            return Long.MAX_VALUE;
        }
        return due;
    }

    /** GOAWAY naming the last stream taken: those finish, the client opens new ones elsewhere; closed when none is left. */
    private void goAway() {
        if (goingAway) {
            return;
        }
        goingAway = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(sent -> {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame headers) {
            int id = headers.stream().id();
            Http2ServerStream stream = streams.get(id);
            if (stream == null) {
                stream = new Http2ServerStream(this, headers.stream(), ctx);
                streams.put(id, stream);
            }
            stream.onHeaders(headers);
        } else if (msg instanceof Http2DataFrame data) {
            Http2ServerStream stream = streams.get(data.stream().id());
            if (stream != null) {
                stream.onData(data);
            } else {
                data.release(); // a stream already ended: its window is the codec's to settle
            }
        } else {
            ReferenceCountUtil.release(msg); // SETTINGS, PING, GOAWAY, RST: the codec acted on them
        }
    }

    /**
     * Flushes once the event loop has handled every ready socket of this round. Responses of many
     * streams arrive on as many upstream connections, usually in the same round: they leave in one
     * write instead of one system call each (about one per request before).
     */
    void flushSoon() {
        if (!flushQueued) {
            flushQueued = true;
            ctx.executor().execute(queuedFlush);
        }
    }

    void bodyDelivered(Http2ServerStream stream) {
        toFlush.add(stream);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (int i = 0; i < toFlush.size(); i++) {
            toFlush.get(i).flushRequest();
        }
        toFlush.clear();
        ctx.fireChannelReadComplete();
    }

    /** The connection and the stream's send window can both take more. */
    boolean isWritable(Http2FrameStream frameStream) {
        if (!ctx.channel().isWritable()) {
            return false;
        }
        Http2Stream stream = codec.connection().stream(frameStream.id());
        return stream != null && codec.connection().remote().flowController().isWritable(stream);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (Http2ServerStream stream : streams.values().toArray(new Http2ServerStream[0])) {
                stream.onWritable();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Http2FrameStreamEvent streamEvent) {
            int id = streamEvent.stream().id();
            if (streamEvent.type() == Http2FrameStreamEvent.Type.State
                    && streamEvent.stream().state() == Http2Stream.State.CLOSED) {
                Http2ServerStream closed = streams.remove(id);
                if (closed != null) {
                    closed.closed();
                }
            } else if (streamEvent.type() == Http2FrameStreamEvent.Type.Writability) {
                Http2ServerStream stream = streams.get(id);
                if (stream != null) {
                    stream.onWritable();
                }
            }
            return;
        }
        if (event == DownstreamConnection.CLOSE_WHEN_IDLE) {
            goAway();
            return;
        }
        if (event instanceof ChannelInputShutdownEvent) {
            // The client's FIN: HTTP/2 has no half-close, every stream of the connection is abandoned.
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Http2ServerStream stream : streams.values().toArray(new Http2ServerStream[0])) {
            stream.closed();
        }
        streams.clear();
        clock.stop();
        metrics.http2ConnectionClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception || cause instanceof Http2FrameStreamException) {
            // The codec's own verdict on the client (a flood, a protocol error): it sends the
            // GOAWAY and closes after it, counted in onGoAwaySent. Closing here would cut it off.
            return;
        }
        boolean io = cause instanceof java.io.IOException || cause.getCause() instanceof javax.net.ssl.SSLException;
        metrics.proxyError(io ? "client_io" : "client_internal");
        if (!io) {
            System.getLogger(Http2Connection.class.getName()).log(System.Logger.Level.WARNING,
                    "listener " + listener + ": closing an HTTP/2 connection from " + peerText() + " after an internal error", cause);
        }
        ctx.close();
    }

    // ---- the peer, worked out once per connection for its streams ----

    Peer peer() {
        if (peer == null) {
            peer = Peer.of(ctx.channel(), snapshots.get());
        }
        return peer;
    }

    String peerText() {
        return peer().text();
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
