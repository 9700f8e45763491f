package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.config.TlsSpec;

/**
 * Tickets under our keys with BoringSSL: a client resumes with its ticket after one rotation (the
 * previous key still decrypts), not after two. Counted by the server context's own statistics,
 * whose ticket counters only move when the keys are ours; the JDK's client does the resuming.
 */
class TicketKeysTest {
    @TempDir
    Path dir;

    @Test
    void aTicketResumesAcrossOneRotationButNotTwo() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL (netty-tcnative) does not load here");
        TicketKeys keys = new TicketKeys();
        Path cert = Files.writeString(dir.resolve("ec256.crt"), PemKeysTest.resource("ec256.crt"));
        Path key = Files.writeString(dir.resolve("ec256.key"), PemKeysTest.resource("ec256-sec1.key"));
        LoadedCertificate loaded = LoadedCertificate.load("t", TlsSpec.CertificateSpec.of(cert, key), TlsSpec.TLS_1_3, true,
                TlsContexts.best(keys));
        OpenSslSessionStats stats = ((OpenSslSessionContext) loaded.context().sessionContext()).stats();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(loaded.context().newHandler(ch.alloc()), new AnswerOnceAndClose());
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            SSLContext client = trustingEverything();

            request(client, port);
            assertEquals(0, resumed(stats));
            request(client, port);
            assertEquals(1, resumed(stats), "resumed with the ticket of the first connection");

            keys.rotate();
            request(client, port);
            assertEquals(2, resumed(stats), "the previous key still decrypts");
            assertEquals(1, stats.ticketKeyRenew(), "and the client gets a ticket under the new key");

            keys.rotate();
            keys.rotate();
            request(client, port);
            assertEquals(2, resumed(stats), "a ticket two keys old is not accepted");
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Handshakes resumed from a ticket: under the encrypting key, or under the previous one (then renewed). */
    private static long resumed(OpenSslSessionStats stats) {
        return stats.ticketKeyResume() + stats.ticketKeyRenew();
    }

    /** One TLS 1.3 connection that reads the server's answer (and with it the tickets sent after the handshake). */
    private static void request(SSLContext client, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write('?');
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // To the close: the answer and the tickets before it.
            }
        }
    }

    /** Answers the first byte read with "ok" and closes. */
    private static final class AnswerOnceAndClose extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'o', 'k'})).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
                ctx.close();
            }
        }
    }

    private static SSLContext trustingEverything() throws Exception {
        X509ExtendedTrustManager trustAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) { }
            @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) { }
            @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
            @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, null);
        return context;
    }
}
