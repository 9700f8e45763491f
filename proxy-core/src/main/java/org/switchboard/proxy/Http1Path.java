package org.switchboard.proxy;

/**
 * Which HTTP/1 data path serves client listeners while the byte path replaces the codec path:
 * {@code -Dswitchboard.http1=legacy} keeps Netty's codecs, {@code v2} the one-parse byte path.
 * Read once at start; both are measured side by side with the same build. The byte path is the
 * default since it measured faster (benchmarks/RESULTS.md); the codec path goes next.
 */
enum Http1Path {
    LEGACY, V2;

    private static final Http1Path CURRENT = "v2".equals(System.getProperty("switchboard.http1", "v2")) ? V2 : LEGACY;

    static Http1Path current() {
        return CURRENT;
    }
}
