package org.switchboard.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SNI selection and Host coverage: exact names first, wildcards over one label, the first as default. */
class CertificateSetTest {
    private static final CertificateSet SET = new CertificateSet(List.of(
            certificate("matrix.example.com", "example.com"),
            certificate("*.example.com"),
            certificate("element.example.com", "*.element.example.com"),
            certificate("*.example.com", "late.example.com")));

    private static LoadedCertificate certificate(String... names) {
        return new LoadedCertificate(names[0], List.of(names), Instant.EPOCH, "CN=" + names[0], null, new byte[0]);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
        "matrix.example.com, 0, 0",
        "example.com, 0, 0",
        "element.example.com, 2, 2",
        "call.element.example.com, 2, 2",
        "a.b.element.example.com, 0, -1",
        "other.example.com, 1, 1",
        "late.example.com, 3, 3",
        "a.b.example.com, 0, -1",
        "example.org, 0, -1",
        ".example.com, 0, -1",
        "null, 0, -1",
    })
    void selectsAndCovers(String host, int selected, int covering) {
        assertEquals(selected, SET.select(host));
        assertEquals(covering, SET.covering(host));
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "*.example.com, a.example.com, true",
        "*.example.com, example.com, false",
        "*.example.com, a.b.example.com, false",
        "*.example.com, aexample.com, false",
        "*.example.com, a.example.com.evil, false",
        "matrix.example.com, matrix.example.com, true",
        "matrix.example.com, x.matrix.example.com, false",
    })
    void oneCertificateCovers(String name, String host, boolean covers) {
        assertEquals(covers, certificate(name).covers(host));
    }
}
