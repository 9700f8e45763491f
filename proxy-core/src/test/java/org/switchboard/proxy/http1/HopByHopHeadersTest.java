package org.switchboard.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HopByHopHeadersTest {

    @ParameterizedTest(name = "Connection: {0}")
    @CsvSource(delimiter = '|', value = {
            "keep-alive                 | host,trailer,x-custom",
            "close, X-Custom            | host,trailer",
            "X-CUSTOM ,,  keep-alive    | host,trailer",
            "Content-Length, Transfer-Encoding, Host | content-length,host,trailer,transfer-encoding,x-custom",
    })
    void connectionAndWhatItNamesAreRemoved(String connection, String expectedRemaining) {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Host", "matrix.example.org")
                .add("Connection", connection)
                .add("X-Custom", "1")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("TE", "trailers")
                .add("Trailer", "X-T")
                .add("Upgrade", "websocket");
        if (connection.contains("Content-Length")) {
            headers.add("Content-Length", "3").add("Transfer-Encoding", "chunked");
        }
        HopByHopHeaders.strip(headers);
        Map<String, String> remaining = new TreeMap<>();
        headers.forEach(e -> remaining.put(e.getKey().toLowerCase(), e.getValue()));
        assertEquals(List.of(expectedRemaining.split(",")), List.copyOf(remaining.keySet()));
    }
}
