package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.switchboard.proxy.codec.http1.Cumulation;
import org.switchboard.proxy.codec.http1.Http1Scratch;
import org.switchboard.proxy.http.ConnectionClock;
import org.switchboard.proxy.http.DownstreamConnection;
import org.switchboard.proxy.http.Peer;
import org.switchboard.proxy.http.ProxySnapshot;
import org.switchboard.proxy.http.RequestGate;
import org.switchboard.proxy.router.MatrixErrors;
import org.switchboard.proxy.stats.AccessLog;
import org.switchboard.proxy.stats.ProxyMetrics;
import org.switchboard.proxy.stats.RequestRecord;
import org.switchboard.proxy.upstream.UpstreamConnectionPool;

/**
 * An HTTP/2 client connection (RFC 9113), server side. Netty's frame reader checks each frame's
 * layout, joins CONTINUATION frames (bounding small ones) and decodes HPACK; everything else is
 * here: the stream states, flow control both ways, the flood limits, and the frames written, with
 * each stream's requests and responses handed to its {@link Http2ServerStream} (a plain object)
 * feeding the same request journey as HTTP/1; what they send goes through its
 * {@link Http2ResponseWriter}. Netty's connection handler, frame codec and flow controllers are
 * not used: their layers cost about a fifth of the event loop per request. Also kept here: the
 * receive windows, the idle timeout, the drain's GOAWAY, and the counts.
 */
public final class Http2Connection extends ChannelInboundHandlerAdapter {
    /** Concurrent streams a client may open (SETTINGS_MAX_CONCURRENT_STREAMS). */
    public static final int MAX_CONCURRENT_STREAMS = 100;
    /** Each stream's receive window: a media upload streams at full speed, and at most this waits per stream. */
    public static final int STREAM_WINDOW = 256 * 1024;
    /** The connection's receive window, shared by its streams. */
    public static final int CONNECTION_WINDOW = 1024 * 1024;
    /**
     * Request body bytes whose room in the connection's window is given back as they arrive,
     * before their upstreams take them: a few uploads stuck on a worker that reads nothing (each
     * holding at most its stream's window) must not stall every other stream's body on the
     * connection. Past this much waiting, room comes back only as the upstreams take bytes.
     */
    public static final int CREDIT_ON_ARRIVAL_LIMIT = 2 * 1024 * 1024;
    /** How long a client has to read an early answer before the rest of its body is refused. */
    private static final long ANSWER_READ_MILLIS = 500;
    /**
     * Streams reset per window before the connection ends: by the client (rapid reset,
     * CVE-2023-44487), or by us because of what it sent (CVE-2025-55163).
     */
    public static final int MAX_RESETS = 200;
    /** How many of the streams it reset last the connection remembers, to ignore the client's late frames on them. */
    private static final int RECENT_RESETS = 64;
    public static final int RESET_WINDOW_SECONDS = 30;
    /** Small CONTINUATION frames in a row before the connection ends (CONTINUATION flood). */
    public static final int MAX_SMALL_CONTINUATIONS = 16;
    /** Control frames (PING/SETTINGS acks, RST) queued unsent before the connection ends (flood of frames needing an answer). */
    public static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** Empty DATA frames in a row before the connection ends. */
    public static final int MAX_EMPTY_DATA_FRAMES = 2;

    private static final System.Logger LOG = System.getLogger(Http2Connection.class.getName());
    private static final byte[] NO_DEBUG = new byte[0];

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

    private final int headerListLimit;
    private final DefaultHttp2FrameReader reader;
    /** The streams open on this connection, by id. */
    private final IntObjectHashMap<Http2ServerStream> streams = new IntObjectHashMap<>();
    /** Streams that wrote request body upstream during the current read, flushed once at its end. */
    private final List<Http2ServerStream> toFlush = new ArrayList<>();
    private ChannelHandlerContext ctx;
    /** What the streams send: HEADERS and DATA within the client's windows, flushed once a round. */
    Http2ResponseWriter output;
    private ConnectionClock clock;
    private ByteBuf buffered;
    private boolean prefaceRead;
    private boolean settingsRead;
    /** A connection error was sent: what the client still sends is not read. */
    private boolean failed;
    private boolean goingAway;
    private boolean clientGoingAway;
    private int lastStreamId;
    private long idleSinceNanos;
    private final HeaderBlockWatch headerBlock = new HeaderBlockWatch();
    /** When the header block now in progress began; -1 while none is. */
    private long headerBlockSinceNanos = -1;

    /** The window every new stream starts with (the client's SETTINGS_INITIAL_WINDOW_SIZE). */
    private int clientInitialWindow = Http2Frames.DEFAULT_WINDOW;
    /** Request bytes the client may still send on the connection, and those to announce back. */
    private int receiveWindow = CONNECTION_WINDOW;
    /** The ids of the last streams this side reset (a ring): the client's frames on them may still be on their way. */
    private final int[] recentResets = new int[RECENT_RESETS];
    private int recentResetsNext;
    /** Of the bytes waiting in streams for their upstreams, how many had their room given back on arrival. */
    private int creditedOnArrival;
    private int returnable;

    private long resetWindowStartNanos;
    private int resetsInWindow;
    private int emptyDataInARow;
    /** Control frames answered since the socket last had room (PING and SETTINGS acks, resets). */
    private int controlFramesQueued;

    private Http2Connection(Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool, Http1Scratch scratch,
                            String scheme, String listener, ProxyMetrics metrics, AccessLog accessLog, RequestGate gate) {
        this.snapshots = snapshots;
        this.pool = pool;
        this.scratch = scratch;
        this.scheme = scheme;
        this.schemeAscii = scheme.getBytes(StandardCharsets.US_ASCII);
        this.listener = listener;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.gate = gate;
        this.headerListLimit = snapshots.get().spec().limits().requestHeaders();
        this.reader = new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(true, headerListLimit),
                MAX_SMALL_CONTINUATIONS);
    }

    /** Makes {@code pipeline} (TLS done, or a plain connection that sent the HTTP/2 preface) an HTTP/2 server connection. */
    public static void install(ChannelPipeline pipeline, Supplier<ProxySnapshot> snapshots, UpstreamConnectionPool pool,
                               Http1Scratch scratch, String scheme, String listener, ProxyMetrics metrics,
                               AccessLog accessLog, RequestGate gate) {
        pipeline.addLast("h2-linger", new LingeringClose())
                .addLast("h2-connection", new Http2Connection(snapshots, pool, scratch, scheme, listener, metrics,
                        accessLog, gate));
    }

    /** The limits, as the start line states them. */
    public static String describeLimits(int headerList) {
        return "HTTP/2: " + MAX_CONCURRENT_STREAMS + " streams per connection, windows " + STREAM_WINDOW / 1024
                + " KiB per stream and " + CONNECTION_WINDOW / 1024 + " KiB per connection (given back on arrival while "
                + CREDIT_ON_ARRIVAL_LIMIT / 1024 + " KiB wait for upstreams), header list "
                + headerList + " bytes, at most " + MAX_RESETS + " resets per " + RESET_WINDOW_SECONDS + " s, "
                + MAX_SMALL_CONTINUATIONS + " small CONTINUATION frames, " + MAX_EMPTY_DATA_FRAMES + " empty DATA frames in a row, "
                + MAX_QUEUED_CONTROL_FRAMES + " queued control frames";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.output = new Http2ResponseWriter(this, ctx);
        this.clock = new ConnectionClock(ctx.executor(), this::tick);
        // HTTP/2 reads all the time: each stream's flow control paces its body, not the socket.
        ctx.channel().config().setAutoRead(true);
        metrics.http2ConnectionOpened();
        ByteBuf preface = ctx.alloc().buffer(64);
        Http2Frames.settings(preface, MAX_CONCURRENT_STREAMS, STREAM_WINDOW, headerListLimit);
        // The connection window starts at 64 KiB whatever SETTINGS say (RFC 9113 6.9.2): widen it.
        Http2Frames.windowUpdate(preface, 0, CONNECTION_WINDOW - Http2Frames.DEFAULT_WINDOW);
        ctx.writeAndFlush(preface, ctx.voidPromise());
        idleSinceNanos = now();
        clock.by(idleSinceNanos + snapshots.get().timeouts().downstreamIdle().toNanos());
    }

    // ---- reading ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes) || failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        followHeaderBlock(bytes);
        buffered = buffered == null ? bytes : Cumulation.append(ctx.alloc(), buffered, bytes);
        try {
            if (!prefaceRead && !readPreface()) {
                return;
            }
            readFrames();
        } finally {
            if (buffered != null && (failed || !buffered.isReadable())) {
                buffered.release();
                buffered = null;
            } else if (buffered != null && buffered.refCnt() == 1) {
                // Only while no DATA slice of it is out (upstream, or held for it): compacting moves bytes under them.
                buffered.discardSomeReadBytes();
            }
        }
    }

    /** A header block that began must be whole within {@code timeouts.requestHeader}, as an HTTP/1 head. */
    private void followHeaderBlock(ByteBuf bytes) {
        headerBlock.scan(bytes);
        if (!headerBlock.inProgress()) {
            headerBlockSinceNanos = -1;
        } else if (headerBlockSinceNanos < 0) {
            headerBlockSinceNanos = now();
            clock.by(headerBlockSinceNanos + snapshots.get().timeouts().requestHeader().toNanos());
        }
    }

    private boolean readPreface() {
        int length = Math.min(buffered.readableBytes(), Http2Frames.CLIENT_PREFACE.length);
        for (int i = 0; i < length; i++) {
            if (buffered.getByte(buffered.readerIndex() + i) != Http2Frames.CLIENT_PREFACE[i]) {
                connectionError(Http2Error.PROTOCOL_ERROR, "no HTTP/2 client preface");
                return false;
            }
        }
        if (length < Http2Frames.CLIENT_PREFACE.length) {
            return false;
        }
        buffered.skipBytes(length);
        prefaceRead = true;
        return true;
    }

    private void readFrames() {
        while (!failed && buffered.isReadable()) {
            try {
                reader.readFrame(ctx, buffered, frames);
                return; // everything whole is read; the rest waits for more bytes
            } catch (Http2Exception.HeaderListSizeException tooLarge) {
                headerListTooLarge(tooLarge.streamId());
            } catch (Http2Exception.StreamException streamError) {
                int id = streamError.streamId();
                if ((id & 1) == 1 && id > lastStreamId) {
                    lastStreamId = id; // a malformed block still opened (and ends) its stream (RFC 9113 8.1.1)
                    if (!streams.containsKey(id)) {
                        refusedHead(streamError.getMessage());
                    }
                }
                resetForClientFault(id, streamError.error());
            } catch (Http2Exception connectionError) {
                connectionError(connectionError.error(), connectionError.getMessage());
            }
        }
    }

    /** What each frame read means (RFC 9113 section 6), in the states of section 5.1. */
    private final Http2FrameListener frames = new Http2FrameListener() {
        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
                throws Http2Exception {
            settingsFirst();
            int flowControlled = data.readableBytes() + padding;
            if (flowControlled > receiveWindow) {
                throw Http2Exception.connectionError(Http2Error.FLOW_CONTROL_ERROR, "DATA beyond the connection's window");
            }
            receiveWindow -= flowControlled;
            if (!data.isReadable() && !endOfStream) {
                if (++emptyDataInARow > MAX_EMPTY_DATA_FRAMES) {
                    throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "too many empty DATA frames in a row");
                }
            } else {
                emptyDataInARow = 0;
            }
            Http2ServerStream stream = streams.get(streamId);
            if (stream == null || stream.flow.remoteEnded) {
                idleStreamIsAnError(streamId, "DATA");
                creditConnection(flowControlled);
                if (stream != null) {
                    resetForClientFault(streamId, Http2Error.STREAM_CLOSED);
                }
                return flowControlled; // a stream already ended or reset: its bytes are dropped
            }
            Http2StreamFlow flow = stream.flow;
            if (flowControlled > flow.receiveWindow) {
                creditConnection(flowControlled);
                resetForClientFault(streamId, Http2Error.FLOW_CONTROL_ERROR);
                return flowControlled;
            }
            flow.receiveWindow -= flowControlled;
            if (endOfStream) {
                flow.remoteEnded = true;
            }
            creditOnArrival(flowControlled);
            stream.onData(data.retain(), flowControlled, endOfStream);
            closeIfEnded(stream);
            return flowControlled;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) throws Http2Exception {
            settingsFirst();
            Http2ServerStream stream = streams.get(streamId);
            if (stream != null) {
                if (stream.flow.remoteEnded) {
                    resetForClientFault(streamId, Http2Error.STREAM_CLOSED);
                } else if (!endOfStream || hasPseudoHeader(headers)) {
                    // Trailers end the stream and carry no pseudo-header fields (RFC 9113 8.1).
                    resetForClientFault(streamId, Http2Error.PROTOCOL_ERROR);
                } else {
                    stream.flow.remoteEnded = true;
                    stream.onTrailers();
                    closeIfEnded(stream);
                }
                return;
            }
            if ((streamId & 1) == 0) {
                throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "HEADERS on the even stream %d", streamId);
            }
            if (streamId <= lastStreamId) {
                if (goingAway || clientGoingAway || resetRecently(streamId)) {
                    return; // sent before the client learned of our reset or GOAWAY (RFC 9113 5.1, 6.8)
                }
                throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                        "HEADERS on stream %d, closed or skipped: ids are used once, in increasing order", streamId);
            }
            lastStreamId = streamId;
            if (goingAway || clientGoingAway) {
                return; // after our GOAWAY no stream is taken: the client retries it elsewhere
            }
            if (streams.size() >= MAX_CONCURRENT_STREAMS) {
                writeReset(streamId, Http2Error.REFUSED_STREAM, true);
                return;
            }
            stream = openStream(streamId);
            stream.flow.remoteEnded = endOfStream;
            stream.onHeaders(headers, endOfStream);
            closeIfEnded(stream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream); // priorities are not followed
        }

        @Override
        public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int streamDependency, short weight,
                                   boolean exclusive) throws Http2Exception {
            settingsFirst();
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) throws Http2Exception {
            settingsFirst();
            idleStreamIsAnError(streamId, "RST_STREAM");
            if (tooManyResets()) {
                throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                        "more than %d RST_STREAM frames in %d s", MAX_RESETS, RESET_WINDOW_SECONDS);
            }
            Http2ServerStream stream = streams.get(streamId);
            if (stream != null) {
                stream.flow.reset = true;
                closeStream(stream, true);
            }
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) throws Http2Exception {
            settingsFirst();
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
            settingsRead = true;
            settingsFirst();
            applySettings(settings);
            ByteBuf ack = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH);
            Http2Frames.settingsAck(ack);
            writeControl(ack);
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
            settingsFirst();
            ByteBuf ack = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + 8);
            Http2Frames.pingAck(ack, data);
            writeControl(ack);
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
            settingsFirst();
        }

        @Override
        public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers,
                                      int padding) throws Http2Exception {
            throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "a client sent PUSH_PROMISE");
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData)
                throws Http2Exception {
            settingsFirst();
            clientGoingAway = true;
            if (streams.isEmpty()) {
                ctx.close();
            }
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int increment) throws Http2Exception {
            settingsFirst();
            if (streamId == 0) {
                output.connectionWindowGrew(increment);
                wakeStreams();
                return;
            }
            idleStreamIsAnError(streamId, "WINDOW_UPDATE");
            Http2ServerStream stream = streams.get(streamId);
            if (stream == null) {
                return;
            }
            Http2StreamFlow flow = stream.flow;
            if (flow.sendWindow > Http2Frames.MAX_WINDOW - increment) {
                resetForClientFault(streamId, Http2Error.FLOW_CONTROL_ERROR);
                return;
            }
            flow.sendWindow += increment;
            if (flow.hasQueued()) {
                output.sendQueued(stream);
            }
            stream.onWritable();
        }

        @Override
        public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                                   ByteBuf payload) {
            // Unknown frame types are ignored (RFC 9113 5.5).
        }
    };

    private static boolean hasPseudoHeader(Http2Headers headers) {
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            if (field.getKey().length() > 0 && field.getKey().charAt(0) == ':') {
                return true;
            }
        }
        return false;
    }

    /** One more reset, by either side, in the current window (rapid reset, CVE-2023-44487): past the limit? */
    private boolean tooManyResets() {
        long now = now();
        if (now - resetWindowStartNanos > RESET_WINDOW_SECONDS * 1_000_000_000L) {
            resetWindowStartNanos = now;
            resetsInWindow = 0;
        }
        return ++resetsInWindow > MAX_RESETS;
    }

    private boolean resetRecently(int streamId) {
        for (int id : recentResets) {
            if (id == streamId) {
                return true;
            }
        }
        return false;
    }

    /** The client's first frame must be its SETTINGS (RFC 9113 3.4). */
    private void settingsFirst() throws Http2Exception {
        if (failed) {
            // A GOAWAY went out: the reader stops here instead of handing on the rest of what it read.
            throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "closing");
        }
        if (!settingsRead) {
            throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "the first frame was not SETTINGS");
        }
    }

    /** A frame other than HEADERS or PRIORITY on a stream never opened (RFC 9113 5.1, "idle"). */
    private void idleStreamIsAnError(int streamId, String frame) throws Http2Exception {
        if (streamId > lastStreamId || (streamId & 1) == 0) { // a client never opens even ids
            throw Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "%s on the idle stream %d", frame, streamId);
        }
    }

    private void applySettings(Http2Settings settings) throws Http2Exception {
        Long tableSize = settings.headerTableSize();
        if (tableSize != null) {
            // Never more than the default: a client offering 4 GiB would have every header kept (RFC 7541 4.2 allows less).
            output.headerTableSize(Math.min(tableSize, 4096));
        }
        Integer initialWindow = settings.initialWindowSize();
        if (initialWindow != null) {
            int delta = initialWindow - clientInitialWindow;
            clientInitialWindow = initialWindow;
            for (Http2ServerStream stream : streams.values()) {
                Http2StreamFlow flow = stream.flow;
                if (delta > 0 && flow.sendWindow > Http2Frames.MAX_WINDOW - delta) {
                    throw Http2Exception.connectionError(Http2Error.FLOW_CONTROL_ERROR, "stream window past 2^31-1");
                }
                flow.sendWindow += delta;
            }
            if (delta > 0) {
                for (Http2ServerStream stream : openStreams()) {
                    if (stream.flow.hasQueued()) {
                        output.sendQueued(stream);
                    }
                    stream.onWritable();
                }
            }
        }
        // SETTINGS_MAX_FRAME_SIZE only ever grows past the 16 KiB frames sent here; the rest is for clients.
    }

    private Http2ServerStream openStream(int streamId) {
        Http2ServerStream stream = new Http2ServerStream(this, new Http2StreamFlow(streamId, clientInitialWindow,
                STREAM_WINDOW), ctx);
        streams.put(streamId, stream);
        return stream;
    }

    /** The header block was larger than {@code limits.requestHeaders}: 431, as HTTP/1 answers. */
    private void headerListTooLarge(int streamId) {
        if (streams.containsKey(streamId)) {
            resetForClientFault(streamId, Http2Error.PROTOCOL_ERROR); // trailers past the limit: the request is cut off
            return;
        }
        if (streamId <= lastStreamId) {
            return; // a stream reset already
        }
        if (goingAway || clientGoingAway || streams.size() >= MAX_CONCURRENT_STREAMS) {
            lastStreamId = streamId;
            writeReset(streamId, Http2Error.REFUSED_STREAM, true);
            return;
        }
        lastStreamId = streamId;
        Http2ServerStream stream = openStream(streamId);
        stream.onHeadersTooLarge(); // answers, then refuses whatever else the stream sends
    }

    // ---- the streams' ends ----

    void closeIfEnded(Http2ServerStream stream) {
        Http2StreamFlow flow = stream.flow;
        if (flow.remoteEnded && flow.localEnded && !flow.hasQueued()) {
            closeStream(stream, false);
        }
    }

    /**
     * The stream leaves the connection: both sides ended it, or it was reset ({@code abandoned}:
     * whatever it still does for its request stops; a stream that ended both ways finishes its
     * own record on its own, often in the very call that wrote its last frame).
     */
    private void closeStream(Http2ServerStream stream, boolean abandoned) {
        if (streams.remove(stream.flow.id) == null) {
            return;
        }
        stream.flow.releaseQueued();
        output.forget(stream);
        if (abandoned) {
            stream.closed();
        }
        if (streams.isEmpty()) {
            idleSinceNanos = now();
            if (goingAway || clientGoingAway) {
                output.flushSoon();
                ctx.close();
                return;
            }
            clock.by(idleSinceNanos + snapshots.get().timeouts().downstreamIdle().toNanos());
        }
    }

    /** A reset for what the client did wrong on the stream: its request, if one runs, is logged as a protocol error. */
    private void resetForClientFault(int streamId, Http2Error error) {
        Http2ServerStream stream = streams.get(streamId);
        if (stream != null) {
            stream.brokeProtocol();
        }
        resetStream(streamId, error, true);
    }

    /**
     * A request whose header block was refused with a reset (a field HTTP/2 forbids, a bad
     * pseudo-header): logged and counted as the 400s of the parser are, with what was known.
     */
    private void refusedHead(String why) {
        RequestRecord record = new RequestRecord();
        long now = System.nanoTime();
        record.start(now, peerText());
        record.protocol = RequestRecord.Protocol.H2;
        record.cutOff(RequestRecord.Termination.PROTOCOL_ERROR);
        record.finish(now, listener, metrics, accessLog, ctx.channel().eventLoop());
        metrics.proxyError("bad_request");
        LOG.log(System.Logger.Level.DEBUG, () -> "listener " + listener + ": refused an HTTP/2 request from " + peerText()
                + ": " + why);
    }

    /**
     * RST_STREAM for a stream error (RFC 9113 5.4.2); the stream ends here. {@code clientsDoing}:
     * the client caused it, so it counts towards the reset limit.
     */
    private void resetStream(int streamId, Http2Error error, boolean clientsDoing) {
        writeReset(streamId, error, clientsDoing);
        Http2ServerStream stream = streams.get(streamId);
        if (stream != null) {
            stream.flow.reset = true;
            closeStream(stream, true);
        }
    }

    private void writeReset(int streamId, Http2Error error, boolean clientsDoing) {
        if (clientsDoing && error != Http2Error.NO_ERROR && error != Http2Error.CANCEL && tooManyResets()) {
            // A client can make us reset its streams (bad windows, frames after the end): each such
            // reset frees a slot for a new request, so they count like its own (CVE-2025-55163).
            // Not the resets of responses the upstream broke off: a media worker failing over and
            // over must not get its clients cut off as abusive.
            connectionError(Http2Error.ENHANCE_YOUR_CALM, "more than " + MAX_RESETS + " streams reset in "
                    + RESET_WINDOW_SECONDS + " s");
            return;
        }
        ByteBuf frame = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + 4);
        Http2Frames.reset(frame, streamId, error.code());
        recentResets[recentResetsNext++ & (RECENT_RESETS - 1)] = streamId; // a power of two: no sign trouble on overflow
        writeControl(frame);
    }

    /**
     * A frame answering the client's own (an ack, a reset). A client that keeps asking while it
     * reads nothing would have them pile up unsent: past the limit, the connection ends.
     */
    private void writeControl(ByteBuf frame) {
        if (ctx.channel().isWritable()) {
            controlFramesQueued = 0;
        } else if (++controlFramesQueued > MAX_QUEUED_CONTROL_FRAMES) {
            frame.release();
            connectionError(Http2Error.ENHANCE_YOUR_CALM, "too many control frames queued unread");
            return;
        }
        ctx.write(frame, ctx.voidPromise());
        output.flushSoon();
    }

    /** GOAWAY with the error and the last stream taken, then a lingering close (RFC 9113 5.4.1). */
    void connectionError(Http2Error error, String message) {
        connectionError(error, message, error != Http2Error.NO_ERROR);
    }

    /**
     * Ends the connection with GOAWAY. {@code clientsFault}: the client broke the protocol (every
     * error but ours), so its requests in flight are logged as its protocol error, not as its leaving.
     */
    void connectionError(Http2Error error, String message, boolean clientsFault) {
        if (failed) {
            return;
        }
        failed = true;
        if (clientsFault) {
            streams.values().forEach(Http2ServerStream::brokeProtocol);
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "listener " + listener + ": HTTP/2 connection error " + error
                + " from " + ctx.channel().remoteAddress() + ": " + message);
        if (error != Http2Error.NO_ERROR) {
            metrics.http2GoAway(error.name().toLowerCase(Locale.ROOT));
        }
        ByteBuf frame = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + 8);
        Http2Frames.goAway(frame, lastStreamId, error.code(), NO_DEBUG);
        ctx.writeAndFlush(frame, ctx.voidPromise());
        ctx.close();
    }

    // ---- the streams' ends and windows, as they ask ----

    /**
     * The stream's response is whole while its request body still comes: the rest is dropped
     * (only what the stream's window allows, since it is not given back), and RST_STREAM(NO_ERROR)
     * asks the client to stop (RFC 9113 8.1) once it has had time to read the answer.
     */
    void refuseRestOfBody(Http2ServerStream stream) {
        Http2StreamFlow flow = stream.flow;
        if (flow.reset || flow.remoteEnded) {
            return;
        }
        flow.discarding = true;
        if (flow.hasQueued()) {
            flow.resetWhenSent = true;
        } else {
            resetAfterAnswerRead(stream);
        }
    }

    /**
     * The reset waits {@link #ANSWER_READ_MILLIS}: a client that gets the reset in the same read
     * as the answer may drop the answer (curl 7.88 uploading reports a stream error and no
     * status). A client that stops sending by itself, or ends its body, closes the stream first.
     */
    void resetAfterAnswerRead(Http2ServerStream stream) {
        ctx.executor().schedule(() -> {
            Http2StreamFlow flow = stream.flow;
            if (streams.get(flow.id) != stream || flow.reset) {
                return; // closed meanwhile, or the connection is gone
            }
            if (flow.remoteEnded) {
                closeIfEnded(stream);
            } else {
                resetStream(flow.id, Http2Error.NO_ERROR, false);
                output.flushSoon();
            }
        }, ANSWER_READ_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The response broke off after it started: the client learns it from a reset with {@code error}. */
    void abortStream(Http2ServerStream stream, Http2Error error, boolean clientsDoing) {
        if (!stream.flow.reset) {
            resetStream(stream.flow.id, error, clientsDoing);
        }
        output.flushSoon();
    }

    /** The stream's request body went upstream: the client may send as much again (RFC 9113 6.9). */
    void returnWindow(Http2ServerStream stream, int bytes) {
        Http2StreamFlow flow = stream.flow;
        if (!flow.remoteEnded && !flow.reset && !flow.discarding) {
            flow.returnable += bytes;
            if (flow.returnable >= STREAM_WINDOW / 4) {
                ByteBuf update = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + 4);
                Http2Frames.windowUpdate(update, flow.id, flow.returnable);
                ctx.write(update, ctx.voidPromise());
                flow.receiveWindow += flow.returnable;
                flow.returnable = 0;
                output.flushSoon();
            }
        }
        // The room of bytes given back on arrival was given already: settled first, in aggregate
        // (what is still owed is the bytes waiting less those credited, never below zero).
        int settled = Math.min(bytes, creditedOnArrival);
        creditedOnArrival -= settled;
        creditConnection(bytes - settled);
    }

    /** Bytes a stream took in: their room goes back at once while little waits (see {@link #CREDIT_ON_ARRIVAL_LIMIT}). */
    private void creditOnArrival(int bytes) {
        int now = Math.min(bytes, CREDIT_ON_ARRIVAL_LIMIT - creditedOnArrival);
        if (now > 0) {
            creditedOnArrival += now;
            creditConnection(now);
        }
    }

    /** Gives {@code bytes} of room back to the client's connection window, in updates of a quarter window. */
    private void creditConnection(int bytes) {
        if (bytes == 0) {
            return;
        }
        returnable += bytes;
        if (returnable >= CONNECTION_WINDOW / 4) {
            ByteBuf update = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + 4);
            Http2Frames.windowUpdate(update, 0, returnable);
            ctx.write(update, ctx.voidPromise());
            receiveWindow += returnable;
            returnable = 0;
            output.flushSoon();
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

    /** The socket or the connection's window has room again: each stream may go on reading its upstream. */
    private void wakeStreams() {
        for (Http2ServerStream stream : openStreams()) {
            stream.onWritable();
        }
    }

    /** The open streams, copied: what is done to one may close it. */
    private Http2ServerStream[] openStreams() {
        return streams.values().toArray(new Http2ServerStream[0]);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            wakeStreams();
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- the connection's end ----

    /**
     * Closes the connection once no stream has been open for {@code timeouts.downstreamIdle}, or
     * at once when a header block took longer than {@code timeouts.requestHeader} (it holds the
     * connection's header decoding, so the connection cannot go on without it).
     */
    private long tick(long now) {
        if (!ctx.channel().isActive()) {
            return Long.MAX_VALUE;
        }
        long headerDue = Long.MAX_VALUE;
        if (headerBlockSinceNanos >= 0) {
            headerDue = headerBlockSinceNanos + snapshots.get().timeouts().requestHeader().toNanos();
            if (now >= headerDue) {
                metrics.proxyError(MatrixErrors.REQUEST_TIMEOUT.metricTag());
                connectionError(Http2Error.NO_ERROR, "a header block was not whole within timeouts.requestHeader");
                return Long.MAX_VALUE;
            }
        }
        if (!streams.isEmpty()) {
            return headerDue; // the idle clock is looked at again when the last stream closes
        }
        long due = idleSinceNanos + snapshots.get().timeouts().downstreamIdle().toNanos();
        if (now >= due) {
            goAway();
            return Long.MAX_VALUE;
        }
        return Math.min(due, headerDue);
    }

    /** GOAWAY naming the last stream taken: those finish, the client opens new ones elsewhere; closed when none is left. */
    private void goAway() {
        if (goingAway || failed) {
            return;
        }
        goingAway = true;
        ByteBuf frame = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + 8);
        Http2Frames.goAway(frame, lastStreamId, Http2Error.NO_ERROR.code(), NO_DEBUG);
        ctx.writeAndFlush(frame).addListener(sent -> {
            if (streams.isEmpty()) {
                ctx.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DownstreamConnection.CLOSE_WHEN_IDLE) {
            goAway();
            return;
        }
        if (event instanceof DownstreamConnection.DrainTimeout timeout) {
            int open = 0;
            int answered = 0;
            for (Http2ServerStream stream : openStreams()) {
                open++;
                answered += stream.answerDrainTimeout() ? 1 : 0;
            }
            if (answered > 0 && answered == open && goingAway) {
                timeout.closesItself(); // after the GOAWAY, the last stream's end closes the connection
            }
            return;
        }
        if (event instanceof DownstreamConnection.EndpointUnhealthy unhealthy) {
            for (Http2ServerStream stream : openStreams()) {
                stream.endpointUnhealthy(unhealthy.address());
            }
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
        for (Http2ServerStream stream : openStreams()) {
            stream.flow.releaseQueued();
            stream.closed();
        }
        streams.clear();
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        reader.close(); // a header block cut off by the close holds a buffer of its fragments
        clock.stop();
        metrics.http2ConnectionClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean io = cause instanceof IOException || cause.getCause() instanceof SSLException;
        metrics.proxyError(io ? "client_io" : "client_internal");
        if (!io) {
            LOG.log(System.Logger.Level.WARNING,
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
