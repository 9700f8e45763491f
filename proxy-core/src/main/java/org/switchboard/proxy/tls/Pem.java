package org.switchboard.proxy.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The {@code -----BEGIN X-----} blocks of a PEM text, in order (RFC 7468); text around them is ignored. */
final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private Pem() {
    }

    record Block(String label, byte[] der) {
    }

    static List<Block> blocks(String text) throws TlsMaterialException {
        List<Block> blocks = new ArrayList<>();
        int position = 0;
        while (true) {
            int begin = text.indexOf(BEGIN, position);
            if (begin < 0) {
                return blocks;
            }
            int labelEnd = text.indexOf(DASHES, begin + BEGIN.length());
            if (labelEnd < 0) {
                throw new TlsMaterialException("a broken PEM block (no end of its BEGIN line)");
            }
            String label = text.substring(begin + BEGIN.length(), labelEnd);
            String endLine = END + label + DASHES;
            int end = text.indexOf(endLine, labelEnd);
            if (end < 0) {
                throw new TlsMaterialException("a broken PEM block (no END line for " + label + ")");
            }
            String body = text.substring(labelEnd + DASHES.length(), end);
            if (body.contains("ENCRYPTED")) {
                throw new TlsMaterialException("an encrypted " + label + " (expected an unencrypted PEM key)");
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(body);
                blocks.add(new Block(label, der));
            } catch (IllegalArgumentException e) {
                throw new TlsMaterialException("a broken PEM block (" + label + " is not base64)");
            }
            position = end + endLine.length();
        }
    }
}
