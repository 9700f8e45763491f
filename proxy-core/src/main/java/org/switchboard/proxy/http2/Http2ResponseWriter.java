package org.switchboard.proxy.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.util.ArrayDeque;

/**
 * The sending half of an {@link Http2Connection}: each stream's response as HEADERS and DATA
 * frames within the client's windows (RFC 9113 6.9), DATA beyond them queued per stream until
 * WINDOW_UPDATE, and one flush per event-loop round for all streams of the connection.
 */
final class Http2ResponseWriter {
    private static final System.Logger LOG = System.getLogger(Http2ResponseWriter.class.getName());
    /** Response bodies up to this size share one buffer with their HEADERS frame. */
    private static final int COPY_BODY_BELOW = 4096;

    private final Http2Connection connection;
    private final ChannelHandlerContext ctx;
    private final DefaultHttp2HeadersEncoder encoder =
            new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
    /** Response bytes the client lets us send on the connection. */
    private int sendWindow = Http2Frames.DEFAULT_WINDOW;
    /** Streams with response DATA waiting for the connection's window, in order. */
    private final ArrayDeque<Http2ServerStream> blocked = new ArrayDeque<>();
    /**
     * Where each header block is encoded before it is framed: one per connection, reused. A plain
     * heap buffer that the collector reclaims with the connection, so a late write never meets it released.
     */
    private final ByteBuf headerBlock = Unpooled.buffer(256);
    /** A flush is queued behind this event-loop round's I/O (see {@link #flushSoon()}). */
    private boolean flushQueued;
    private final Runnable queuedFlush;

    Http2ResponseWriter(Http2Connection connection, ChannelHandlerContext ctx) {
        this.connection = connection;
        this.ctx = ctx;
        this.queuedFlush = () -> {
            flushQueued = false;
            ctx.flush();
        };
    }

    /** Response (or informational) HEADERS, and the whole body when it is known. */
    void writeHeaders(Http2ServerStream stream, Http2Headers headers, ByteBuf body, boolean endStream) {
        Http2StreamFlow flow = stream.flow;
        if (flow.reset || flow.localEnded) {
            if (body != null) {
                body.release();
            }
            return;
        }
        ByteBuf block = headerBlock.clear();
        ByteBuf out = null;
        try {
            encoder.encodeHeaders(flow.id, headers, block);
            int bodyLength = body == null ? 0 : body.readableBytes();
            boolean bodyFits = body != null && !flow.hasQueued() && bodyLength <= COPY_BODY_BELOW
                    && bodyLength <= flow.sendWindow && bodyLength <= sendWindow;
            out = ctx.alloc().buffer(block.readableBytes() + 2 * Http2Frames.HEADER_LENGTH + (bodyFits ? bodyLength : 0));
            Http2Frames.headerBlock(out, flow.id, block, endStream && body == null);
            if (bodyFits) {
                Http2Frames.header(out, bodyLength, Http2Frames.DATA, endStream ? Http2Frames.END_STREAM : 0, flow.id);
                out.writeBytes(body);
                body.release();
                body = null;
                flow.sendWindow -= bodyLength;
                sendWindow -= bodyLength;
                flow.localEnded = endStream;
            } else if (body == null) {
                flow.localEnded = endStream;
            }
            ctx.write(out, ctx.voidPromise());
            out = null;
        } catch (Http2Exception e) {
            LOG.log(System.Logger.Level.WARNING, "listener " + connection.listener + ": response headers not encodable for HTTP/2: " + e.getMessage());
            if (body != null) {
                body.release();
                body = null;
            }
            // The encoder's table may have changed without the block going out: the client's would differ.
            connection.connectionError(Http2Error.COMPRESSION_ERROR, "response headers not encodable", false);
            return;
        } finally {
            if (out != null) {
                out.release();
            }
        }
        if (body != null) {
            writeData(stream, body, endStream);
        } else {
            connection.closeIfEnded(stream);
        }
    }

    /** Response DATA: sent as far as the windows allow, the rest queued until WINDOW_UPDATE. */
    void writeData(Http2ServerStream stream, ByteBuf data, boolean endStream) {
        Http2StreamFlow flow = stream.flow;
        if (flow.reset || flow.localEnded || flow.queuedEnd) {
            data.release();
            return;
        }
        if (flow.hasQueued()) {
            flow.queued.add(data);
            flow.queuedEnd = endStream;
            return;
        }
        if (!sendAllowed(flow, data, endStream)) {
            if (flow.queued == null) {
                flow.queued = new ArrayDeque<>(4);
            }
            flow.queued.add(data);
            flow.queuedEnd = endStream;
            if (sendWindow <= 0 && !blocked.contains(stream)) {
                blocked.add(stream);
            }
            return;
        }
        connection.closeIfEnded(stream);
    }

    /**
     * Writes DATA frames from {@code data} while both windows allow; true when all of it (and its
     * end) went out and {@code data} was released, false when the rest must wait.
     */
    private boolean sendAllowed(Http2StreamFlow flow, ByteBuf data, boolean endStream) {
        while (data.isReadable()) {
            int length = Math.min(Math.min(data.readableBytes(), Http2Frames.MAX_PAYLOAD),
                    Math.min(flow.sendWindow, sendWindow));
            if (length <= 0) {
                return false;
            }
            boolean last = length == data.readableBytes();
            ByteBuf header = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH + (length <= COPY_BODY_BELOW ? length : 0));
            Http2Frames.header(header, length, Http2Frames.DATA, last && endStream ? Http2Frames.END_STREAM : 0, flow.id);
            flow.sendWindow -= length;
            sendWindow -= length;
            if (length <= COPY_BODY_BELOW) {
                header.writeBytes(data, length);
                ctx.write(header, ctx.voidPromise());
            } else {
                ctx.write(header, ctx.voidPromise());
                ctx.write(data.readRetainedSlice(length), ctx.voidPromise());
            }
            if (last) {
                data.release();
                flow.localEnded = endStream;
                return true;
            }
        }
        // Empty: only the end is left to say, and an empty DATA frame takes no window.
        data.release();
        if (endStream) {
            ByteBuf end = ctx.alloc().buffer(Http2Frames.HEADER_LENGTH);
            Http2Frames.header(end, 0, Http2Frames.DATA, Http2Frames.END_STREAM, flow.id);
            ctx.write(end, ctx.voidPromise());
            flow.localEnded = true;
        }
        return true;
    }

    /** The stream's queue, as far as the windows now allow. */
    void sendQueued(Http2ServerStream stream) {
        Http2StreamFlow flow = stream.flow;
        while (!flow.queued.isEmpty()) {
            ByteBuf next = flow.queued.peek();
            boolean end = flow.queuedEnd && flow.queued.size() == 1; // the end rides on the last buffer queued
            if (!sendAllowed(flow, next, end)) {
                if (sendWindow <= 0 && !blocked.contains(stream)) {
                    blocked.add(stream);
                }
                flushSoon();
                return;
            }
            flow.queued.poll();
        }
        flow.queuedEnd = false;
        flushSoon();
        if (flow.resetWhenSent) {
            flow.resetWhenSent = false;
            connection.resetAfterAnswerRead(stream);
        }
        connection.closeIfEnded(stream); // the client may have ended its body while the answer waited
    }

    /** WINDOW_UPDATE on the connection: the streams waiting on it go on, in the order they waited. */
    void connectionWindowGrew(int increment) throws Http2Exception {
        if (sendWindow > Http2Frames.MAX_WINDOW - increment) {
            throw Http2Exception.connectionError(Http2Error.FLOW_CONTROL_ERROR, "connection window past 2^31-1");
        }
        sendWindow += increment;
        int waiting = blocked.size();
        for (int i = 0; i < waiting && sendWindow > 0; i++) {
            Http2ServerStream stream = blocked.poll();
            if (stream.flow.hasQueued()) {
                sendQueued(stream);
            }
        }
    }

    /** The client's SETTINGS_HEADER_TABLE_SIZE (already bounded): the encoder says so in its next block. */
    void headerTableSize(long size) throws Http2Exception {
        encoder.configuration().maxHeaderTableSize(size);
    }

    /** The stream left the connection: it waits for no window any more. */
    void forget(Http2ServerStream stream) {
        blocked.remove(stream);
    }

    /** The socket and both windows can take more of this stream's response. */
    boolean isWritable(Http2ServerStream stream) {
        Http2StreamFlow flow = stream.flow;
        return ctx.channel().isWritable() && !flow.hasQueued() && flow.sendWindow > 0 && sendWindow > 0;
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
}
