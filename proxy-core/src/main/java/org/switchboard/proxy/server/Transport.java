package org.switchboard.proxy.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport: one place decides, everything asks it. On Linux io_uring where the kernel
 * and the container's seccomp profile allow it, else epoll, else (and elsewhere) NIO.
 * {@code -Dswitchboard.transport=epoll} (or {@code nio}) asks for a simpler one.
 *
 * <p>io_uring measured +13% requests/s and -22% CPU per request against epoll in the Matrix mix
 * (benchmarks/RESULTS.md): the reads and writes of a whole event-loop round go to the kernel in
 * one system call instead of one each.
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannelType,
        Class<? extends SocketChannel> socketChannelType,
        Class<? extends DatagramChannel> datagramChannelType,
        String note) {

    public static Transport best() {
        String asked = System.getProperty("switchboard.transport", "");
        if (asked.equals("nio")) {
            return nio("asked for");
        }
        if (!asked.equals("epoll") && IoUring.isAvailable()) {
            // Netty's ring sizes: 4,096 submission slots instead of 128 did not release 9,000 long
            // polls whose clients left at once any sooner (0.56-0.83 s at p99 either way).
            return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                    IoUringSocketChannel.class, IoUringDatagramChannel.class, "");
        }
        String why = asked.equals("epoll") ? "asked for" : "io_uring unavailable: " + IoUring.unavailabilityCause();
        if (Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class, EpollDatagramChannel.class, why);
        }
        return nio(why + "; epoll unavailable: " + Epoll.unavailabilityCause());
    }

    public static Transport nio() {
        return nio("");
    }

    private static Transport nio(String note) {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class, NioDatagramChannel.class, note);
    }

    /**
     * Options every connection gets, accepted or opened upstream. An idle io_uring socket waits
     * with a poll, not a read: like epoll, it holds no read buffer (9,000 held long polls left
     * Netty's pooled memory at 12 MiB with either transport). Kernel-provided buffer rings
     * measured the same requests/s and were left out.
     */
    public void configure(Bootstrap upstream) {
        upstream.option(ChannelOption.RCVBUF_ALLOCATOR, ReadBuffers.allocator());
    }

    public void configure(ServerBootstrap listener) {
        listener.childOption(ChannelOption.RCVBUF_ALLOCATOR, ReadBuffers.allocator());
    }

    public EventLoopGroup newEventLoopGroup(int threads, String threadNamePrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix, true), ioHandlerFactory);
    }

    /** For the start line: the transport and, when it is not the fastest, why. */
    public String describe() {
        return note.isEmpty() ? name : name + " (" + note + ")";
    }
}
