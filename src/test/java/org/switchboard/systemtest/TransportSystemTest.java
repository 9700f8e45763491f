package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.switchboard.proxy.server.Transport;

/**
 * The transport every other test's proxy runs on: the one asked for with
 * {@code -Dswitchboard.transport}, else io_uring where the kernel allows it, else epoll. The
 * surefire execution that repeats the byte-path tests on epoll runs this too, so it proves they
 * did run on epoll.
 */
class TransportSystemTest {
    @Test
    void theProxyRunsOnTheTransportAskedForOrTheFastestTheKernelAllows() {
        String asked = System.getProperty("switchboard.transport");
        String expected = asked != null ? asked
                : IoUring.isAvailable() ? "io_uring"
                : Epoll.isAvailable() ? "epoll" : "nio";

        Transport transport = Transport.best();

        assertEquals(expected, transport.name());
        assertEquals(asked != null ? asked + " (asked for)" : expected, transport.describe());
    }
}
