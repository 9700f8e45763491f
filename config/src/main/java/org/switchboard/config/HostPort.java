package org.switchboard.config;

/**
 * A configured {@code host:port}. The host is kept exactly as written (a DNS name, an IPv4
 * literal or an IPv6 literal without brackets): it is an endpoint's identity, so it is never
 * resolved or normalised here.
 */
public record HostPort(String host, int port) {

    public static final String EXPECTED = "expected host:port, port 1-65535";

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static HostPort of(String host, int port) {
        return new HostPort(host, port);
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port}. Port 0 is accepted only when
     * {@code allowPortZero} (listeners binding an ephemeral port, as tests do).
     *
     * @throws IllegalArgumentException with a message naming the expected form
     */
    public static HostPort parse(String text, boolean allowPortZero) {
        if (text == null) {
            throw new IllegalArgumentException(EXPECTED);
        }
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(EXPECTED);
            }
            host = text.substring(1, close);
            portText = text.substring(close + 2);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException(EXPECTED); // brackets hold IPv6 literals only
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon > 0 && text.indexOf(':') != colon) {
                // ::1:8008 cannot say where the address ends: the port needs the brackets.
                throw new IllegalArgumentException(EXPECTED + "; an IPv6 address in brackets, as [::1]:8008");
            }
            if (colon <= 0) {
                throw new IllegalArgumentException(EXPECTED);
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
        }
        if (host.isEmpty() || !host.chars().allMatch(HostPort::isHostChar) || !isHost(host)) {
            throw new IllegalArgumentException(EXPECTED);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(EXPECTED);
        }
        int min = allowPortZero ? 0 : 1;
        if (port < min || port > 65535 || !portText.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(allowPortZero ? "expected host:port, port 0-65535" : EXPECTED);
        }
        return new HostPort(host, port);
    }

    /**
     * An IPv6 literal (a zone after {@code %} allowed), an IPv4 literal (a host of digits and dots
     * is read as one: {@code 999.1.1.1} is a typo, not a name), or a DNS name whose labels are 1-63
     * letters, digits, hyphens or underscores, not beginning or ending with a hyphen.
     */
    private static boolean isHost(String host) {
        if (host.indexOf(':') >= 0) {
            int zone = host.indexOf('%');
            return Cidr.IpLiterals.parse(zone < 0 ? host : host.substring(0, zone)) != null;
        }
        if (host.indexOf('%') >= 0) {
            return false;
        }
        if (host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            return Cidr.IpLiterals.parse(host) != null;
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
    }

    /*
     * equals and hashCode are written out: the record's generated ones go through method handles
     * that the JIT left uninlined where the proxy looks up its upstream pool once per request
     * (about 1% of the proxy's CPU samples, benchmarks/RESULTS.md, eighth session).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof HostPort that && port == that.port && host.equals(that.host);
    }

    @Override
    public int hashCode() {
        return 31 * host.hashCode() + port;
    }

    /** The form it was written in, with brackets around IPv6 literals. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
