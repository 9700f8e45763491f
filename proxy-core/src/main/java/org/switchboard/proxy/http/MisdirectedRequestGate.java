package org.switchboard.proxy.http;

import java.util.Arrays;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.proxy.router.MatrixErrors;
import org.switchboard.proxy.tls.CertificateSet;
import org.switchboard.proxy.tls.SniChoice;

/**
 * 421 Misdirected Request for a request whose Host another of the listener's certificates serves
 * than the one the connection's SNI chose (RFC 9110 15.5.20): a client that reuses a connection
 * across hosts (HTTP/2 coalescing, or a pooled HTTP/1 connection) must open one with the right
 * certificate instead. Only when SNI was sent; a Host no certificate names is routed as usual.
 * The verdict for the last Host seen is kept, since a connection rarely changes Host.
 */
public final class MisdirectedRequestGate implements RequestGate {
    private static final Answer MISDIRECTED = Answer.refuse(MatrixErrors.MISDIRECTED_REQUEST);

    private final SniChoice choice;
    private byte[] lastHost;
    private boolean lastMisdirected;

    public MisdirectedRequestGate(SniChoice choice) {
        this.choice = choice;
    }

    @Override
    public Answer check(HeadIndex head) {
        if (!choice.sniSent() || head.host() < 0) {
            return null;
        }
        int field = head.host();
        byte[] b = head.bytes();
        int start = head.valueStart(field);
        int end = head.valueEnd(field);
        if (lastHost == null || !Arrays.equals(lastHost, 0, lastHost.length, b, start, end)) {
            lastHost = Arrays.copyOfRange(b, start, end);
            lastMisdirected = misdirected(RequestGate.host(head));
        }
        return lastMisdirected ? MISDIRECTED : null;
    }

    private boolean misdirected(String host) {
        CertificateSet set = choice.set();
        if (host == null || set == null || set.get(choice.index()).covers(host)) {
            return false;
        }
        return set.covering(host) >= 0;
    }
}
