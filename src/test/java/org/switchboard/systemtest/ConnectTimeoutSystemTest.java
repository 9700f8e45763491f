package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.systemtest.support.ProxyUnderTest;
import org.switchboard.systemtest.support.RawClient;

/**
 * An upstream whose accept queue is full never completes a connect (the kernel drops the SYNs):
 * {@code timeouts.connect} ends the wait with a 502, instead of the minutes the kernel retries.
 */
class ConnectTimeoutSystemTest {
    @TempDir
    Path dir;
    private final List<Socket> queued = new ArrayList<>();
    private ServerSocket neverAccepts;
    private ProxyUnderTest proxy;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        for (Socket socket : queued) {
            socket.close();
        }
        neverAccepts.close();
    }

    @Test
    void aConnectThatNeverCompletesIs502AfterTheConnectTimeout() throws Exception {
        neverAccepts = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        InetSocketAddress address = (InetSocketAddress) neverAccepts.getLocalSocketAddress();
        // Fill the accept queue until one more connect cannot complete.
        while (queued.size() < 16) {
            Socket socket = new Socket();
            try {
                socket.connect(address, 300);
                queued.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                break;
            }
        }
        assertTrue(queued.size() < 16, "the accept queue filled up");
        proxy = ProxyUnderTest.start(dir, """
                upstreams:
                  main: {endpoints: ["127.0.0.1:%d"], healthCheck: {interval: 1h}}
                routes:
                  - path: {prefix: "/"}
                    upstream: main
                timeouts: {connect: 300ms}
                """.formatted(address.getPort()));

        try (RawClient client = new RawClient(proxy.address())) {
            RawClient.Response response = client.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertEquals(502, response.status());
            assertTrue(response.body().contains("Could not connect"), response.body());
        }
    }
}
