package org.switchboard.proxy.server;

/**
 * Netty settings chosen by measurement for the proxy process (benchmarks/RESULTS.md, "Tuning"),
 * each applied only when not set on the command line, before any buffer class loads.
 * <ul>
 *   <li>Leak detection off: its default sampling cost about 12% of the CPU per request in the
 *       Matrix mix. Tests run with paranoid detection; turn it back on in production with
 *       {@code -Dio.netty.leakDetection.level=simple}, and watch
 *       {@code switchboard_netty_direct_memory_bytes} for a leak's trend.</li>
 *   <li>The pooled allocator rather than 4.2's adaptive one: about 6% less CPU per request.</li>
 *   <li>No count of pinned pool memory: every pooled buffer's allocation and release added to a
 *       counter shared by its chunk, 2.2% of the proxy's CPU samples with two event loops in the
 *       Matrix mix, for a figure nothing here reads (the metrics report used direct memory).</li>
 *   <li>Not Netty's but set here for the same reason (before any class reads it): the JDK's TLS
 *       provider (chosen with {@code -Dswitchboard.tls.provider=jdk}, or where netty-tcnative does
 *       not load) refuses client-initiated TLS 1.2 renegotiation, as BoringSSL, NGINX and HAProxy
 *       do: each one is a full handshake a client could make the proxy do on one connection, as
 *       often as it likes. The JDK allows it by default and reads this setting once.</li>
 * </ul>
 */
public final class NettyDefaults {
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";
    static final String ALLOCATOR = "io.netty.allocator.type";
    static final String TRACK_PINNED = "io.netty.trackPinnedMemory";
    static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private NettyDefaults() {
    }

    public static void apply() {
        setIfAbsent(LEAK_DETECTION, "disabled");
        setIfAbsent(ALLOCATOR, "pooled");
        setIfAbsent(TRACK_PINNED, "false");
        setIfAbsent(REJECT_CLIENT_RENEGOTIATION, "true");
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
