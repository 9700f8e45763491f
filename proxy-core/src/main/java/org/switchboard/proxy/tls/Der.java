package org.switchboard.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The little DER this package needs: writing a tag-length-value, and reading the elements of a
 * SEQUENCE. Enough to wrap a PKCS#1 or SEC1 key into PKCS#8; not a general ASN.1 library.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** SEC1's {@code [0] ECParameters}: constructed, context-specific 0. */
    static final int CONTEXT_0 = 0xA0;

    private Der() {
    }

    /** One element read from a DER buffer: its tag and where its content lies. */
    record Element(int tag, byte[] source, int contentStart, int contentEnd) {
        byte[] content() {
            return Arrays.copyOfRange(source, contentStart, contentEnd);
        }

        /** The bytes of the whole element, tag and length included. */
        byte[] encoded(int start) {
            return Arrays.copyOfRange(source, start, contentEnd);
        }
    }

    static byte[] tlv(int tag, byte[]... contents) {
        int length = 0;
        for (byte[] content : contents) {
            length += content.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        for (byte[] content : contents) {
            out.writeBytes(content);
        }
        return out.toByteArray();
    }

    /** The element starting at {@code offset}; throws if it does not fit in {@code limit}. */
    static Element read(byte[] der, int offset, int limit) {
        if (offset + 2 > limit) {
            throw new IllegalArgumentException("truncated DER");
        }
        int tag = der[offset] & 0xff;
        int first = der[offset + 1] & 0xff;
        int position = offset + 2;
        int length;
        if (first < 0x80) {
            length = first;
        } else {
            int bytes = first & 0x7f;
            if (bytes == 0 || bytes > 4 || position + bytes > limit) {
                throw new IllegalArgumentException("unsupported DER length");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[position++] & 0xff);
            }
            if (length < 0) {
                throw new IllegalArgumentException("unsupported DER length");
            }
        }
        if (length > limit - position) {
            throw new IllegalArgumentException("truncated DER");
        }
        return new Element(tag, der, position, position + length);
    }

    /** The elements inside a SEQUENCE that must span the whole of {@code der}. */
    static List<Element> sequence(byte[] der) {
        Element outer = read(der, 0, der.length);
        if (outer.tag() != SEQUENCE || outer.contentEnd() != der.length) {
            throw new IllegalArgumentException("not a DER SEQUENCE");
        }
        List<Element> elements = new ArrayList<>();
        int position = outer.contentStart();
        while (position < outer.contentEnd()) {
            Element element = read(der, position, outer.contentEnd());
            elements.add(element);
            position = element.contentEnd();
        }
        return elements;
    }
}
