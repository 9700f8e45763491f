package org.switchboard.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a listener's {@code tls} section, part of {@link SpecBinder}: the shape only. Whether the
 * files hold a usable certificate and key is checked where they are loaded (at start, on
 * {@code --check} and on every reload), with the same locations.
 */
final class TlsBinder {
    private static final String MIN_VERSION_EXPECTED = "expected one of: " + TlsSpec.TLS_1_2 + ", " + TlsSpec.TLS_1_3;
    private static final String PATH_EXPECTED = "expected the path of a PEM file";

    private TlsBinder() {
    }

    /** {@code tls: {certificates: [{cert, key}], minVersion}}; null (reported) when broken. */
    static TlsSpec tls(Node node) {
        if (!node.expectMap("certificates", "minVersion")) {
            return null;
        }
        Node certificatesNode = node.field("certificates");
        List<TlsSpec.CertificateSpec> certificates = null;
        if (certificatesNode.isAbsent()) {
            certificatesNode.fail("missing", "expected a list of {cert, key}");
        } else {
            certificates = certificates(certificatesNode);
        }
        Node minVersionNode = node.field("minVersion");
        String minVersion = TlsSpec.TLS_1_2;
        if (!minVersionNode.isAbsent()) {
            minVersion = minVersionNode.string(MIN_VERSION_EXPECTED);
            if (minVersion != null && !minVersion.equals(TlsSpec.TLS_1_2) && !minVersion.equals(TlsSpec.TLS_1_3)) {
                minVersionNode.fail(MIN_VERSION_EXPECTED);
                minVersion = null;
            }
        }
        return certificates == null || minVersion == null ? null : new TlsSpec(certificates, minVersion);
    }

    private static List<TlsSpec.CertificateSpec> certificates(Node node) {
        List<Node> items = node.list("expected a list of {cert, key}");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            node.fail("an empty list", "expected at least one {cert, key}");
            return null;
        }
        List<TlsSpec.CertificateSpec> certificates = new ArrayList<>();
        boolean broken = false;
        for (Node item : items) {
            if (!item.expectMap("cert", "key")) {
                broken = true;
                continue;
            }
            Path cert = path(item.field("cert"));
            Path key = path(item.field("key"));
            if (cert == null || key == null) {
                broken = true;
            } else {
                certificates.add(new TlsSpec.CertificateSpec(cert, key));
            }
        }
        return broken ? null : certificates;
    }

    private static Path path(Node node) {
        if (node.isAbsent()) {
            node.fail("missing", PATH_EXPECTED);
            return null;
        }
        String text = node.path(PATH_EXPECTED);
        return text == null ? null : Path.of(text);
    }
}
