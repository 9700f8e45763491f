package org.switchboard.config;

import java.util.ArrayList;
import java.util.List;

/** Binds a list of IP addresses or ranges ({@code clientAddress.trustedProxies}, {@code admin.allow}). */
final class CidrBinder {
    static final String LIST_EXPECTED = "expected a list of IP addresses or ranges such as 10.0.0.0/8";

    private CidrBinder() {
    }

    /** The ranges, or null (reported) if the list or any item is not one. */
    static List<Cidr> cidrs(Node list) {
        List<Node> items = list.list(LIST_EXPECTED);
        if (items == null) {
            return null;
        }
        List<Cidr> ranges = new ArrayList<>();
        boolean ok = true;
        for (Node item : items) {
            String text = item.string(Cidr.EXPECTED);
            if (text == null) {
                ok = false;
                continue;
            }
            try {
                ranges.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                item.fail(Cidr.EXPECTED);
                ok = false;
            }
        }
        return ok ? ranges : null;
    }
}
