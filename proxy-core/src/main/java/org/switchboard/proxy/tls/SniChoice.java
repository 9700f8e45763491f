package org.switchboard.proxy.tls;

/**
 * What a connection's ClientHello chose: the certificate set in force then and the certificate
 * picked from it. Written once by the SNI lookup and read by the requests that follow, all on
 * the connection's event loop.
 */
public final class SniChoice {
    private CertificateSet set;
    private int index = -1;
    private boolean sniSent;

    void chose(CertificateSet set, int index, boolean sniSent) {
        this.set = set;
        this.index = index;
        this.sniSent = sniSent;
    }

    /** Whether the client named a host in its ClientHello (only then can a request's Host contradict it). */
    public boolean sniSent() {
        return sniSent;
    }

    /** The set chosen from; null before the ClientHello. */
    public CertificateSet set() {
        return set;
    }

    /** The chosen certificate's position in {@link #set()}. */
    public int index() {
        return index;
    }
}
