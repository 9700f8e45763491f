package org.switchboard.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address range such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a range of
 * one. IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}) are the IPv4 addresses they carry,
 * here and wherever addresses are compared, so one rule covers both spellings.
 */
public record Cidr(byte[] network, int prefixLength, String text) {
    public static final String EXPECTED = "expected an IP address or range such as 10.0.0.0/8 or fd00::/8";

    /** @throws IllegalArgumentException with {@link #EXPECTED} when it is not one */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = IpLiterals.parse(addressText);
        if (address == null) {
            throw new IllegalArgumentException(EXPECTED);
        }
        boolean mapped = address.length == 4 && addressText.contains(":");
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(EXPECTED);
            }
            // A mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it covers.
            if (mapped) {
                prefix -= 96;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(EXPECTED);
            }
        }
        byte[] network = address.clone();
        for (int bit = prefix; bit < bits; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        if (!Arrays.equals(network, address)) {
            // 10.1.2.3/8 is most often meant as the one address: taking the whole /8 silently
            // would trust (or allow) far more than was written.
            String written = text.substring(slash + 1);
            String range = (mapped ? "::ffff:" : "") + IpLiterals.text(network); // as written: mapped stays mapped
            throw new IllegalArgumentException("bits set past the /" + written + " prefix: the range is "
                    + range + "/" + written + "; one address is written without a prefix");
        }
        return new Cidr(network, prefix, text);
    }

    /** Whether an address (4 or 16 bytes, mapped IPv6 already folded to IPv4) is in this range. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & 0xff);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && cidr.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** IP literals only: never a DNS lookup, whatever the text. */
    public static final class IpLiterals {
        private IpLiterals() {
        }

        /** 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6, null when not a literal. */
        public static byte[] parse(String text) {
            if (text.isEmpty() || text.length() > 45) {
                return null;
            }
            boolean v6 = text.indexOf(':') >= 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean ok = (c >= '0' && c <= '9') || c == '.'
                        || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
                if (!ok) {
                    return null;
                }
            }
            // An IPv6 literal may end in a dotted quad (::ffff:10.0.0.1): judged the same way.
            int dotted = v6 ? text.lastIndexOf(':') + 1 : 0;
            if ((!v6 || text.indexOf('.') >= 0) && !isDottedQuad(text.substring(dotted))) {
                return null;
            }
            try {
                // With only digits, dots, hex and colons this is parsed as a literal, never resolved.
                InetAddress address = InetAddress.getByName(text);
                return address instanceof Inet4Address ? address.getAddress() : foldMapped(address.getAddress());
            } catch (UnknownHostException e) {
                return null;
            }
        }

        /** The literal of 4 or 16 address bytes. */
        public static String text(byte[] address) {
            try {
                return InetAddress.getByAddress(address).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not 4 or 16 bytes: " + address.length, e);
            }
        }

        private static boolean isDottedQuad(String text) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String part : parts) {
                // A leading zero (010) is octal to inet_aton and decimal to Java: a literal that
                // two readers take for two addresses is no address (CVE-2021-29921's class).
                if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                        || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }

        /** {@code ::ffff:a.b.c.d} becomes a.b.c.d. */
        public static byte[] foldMapped(byte[] address) {
            if (address.length != 16) {
                return address;
            }
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return address;
                }
            }
            if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
                return address;
            }
            return new byte[] {address[12], address[13], address[14], address[15]};
        }
    }
}
