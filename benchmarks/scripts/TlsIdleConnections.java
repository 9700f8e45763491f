import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Memory per idle TLS keep-alive connection: opens N TLS connections to a proxy, makes one
 * request on each (so each is a served keep-alive connection, not a half-open handshake), holds
 * them all idle, and reads the proxy's RSS (VmRSS of --pid and its children) before and after.
 *
 * <pre>
 * java benchmarks/scripts/TlsIdleConnections.java --connect 127.0.0.1:18443 --host matrix.example.test \
 *     --pid PID [--connections 5000] [--settle-seconds 3]
 * </pre>
 * Ends with one line {@code RESULT connections=N rss_idle_kib=... rss_held_kib=... kib_per_connection=...}.
 * The certificate is not verified (a throwaway one is what a benchmark uses).
 */
public final class TlsIdleConnections {
    public static void main(String[] args) throws Exception {
        String connect = option(args, "--connect", null);
        String host = option(args, "--host", "localhost");
        long pid = Long.parseLong(option(args, "--pid", null));
        int count = Integer.parseInt(option(args, "--connections", "5000"));
        long settleMillis = Long.parseLong(option(args, "--settle-seconds", "3")) * 1000;
        String[] hostPort = connect.split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));

        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new TrustAll()}, null);
        byte[] request = ("GET /_matrix/client/versions HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        warmUp(tls, address, host, request, Math.min(200, count));
        Thread.sleep(settleMillis);
        long idle = rssKib(pid);
        List<SSLSocket> held = new ArrayList<>(count);
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            held.add(open(tls, address, host, request));
            if ((i + 1) % 1000 == 0) {
                System.err.println("[TlsIdleConnections] " + (i + 1) + " open and served");
            }
        }
        double fillSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(settleMillis);
        long busy = rssKib(pid);
        for (SSLSocket socket : held) {
            socket.close();
        }
        System.out.printf("RESULT connections=%d fill_s=%.1f rss_idle_kib=%d rss_held_kib=%d kib_per_connection=%.2f%n",
                count, fillSeconds, idle, busy, (busy - idle) / (double) count);
    }

    private static void warmUp(SSLContext tls, InetSocketAddress address, String host, byte[] request, int count) throws Exception {
        List<SSLSocket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sockets.add(open(tls, address, host, request));
        }
        for (SSLSocket socket : sockets) {
            socket.close();
        }
    }

    /** A TLS connection with SNI, one request answered on it, left open. */
    private static SSLSocket open(SSLContext tls, InetSocketAddress address, String host, byte[] request) throws Exception {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        // Without it, the request waits behind the handshake's last record for a delayed ACK (40 ms).
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        readResponse(socket.getInputStream());
        return socket;
    }

    /** Reads one response with a Content-Length body (what the benchmark's upstream sends). */
    private static void readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed before a response: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }

    private static long rssKib(long pid) throws Exception {
        long total = 0;
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(child -> pids.add(child.pid())));
        for (long p : pids) {
            for (String line : Files.readAllLines(Path.of("/proc/" + p + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return total;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return fallback;
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
