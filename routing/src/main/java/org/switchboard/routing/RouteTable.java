package org.switchboard.routing;

import java.util.Arrays;
import java.util.List;

/**
 * The ordered routes of a snapshot; the first match wins. To stay fast with the hundred-odd
 * routes of the Synapse table, the literal prefixes of all routes go into a character trie built
 * once: one walk down the request path yields the few routes that can match at all, and only
 * those are checked, in table order.
 */
public final class RouteTable {
    private final Route[] routes;
    private final Node root = new Node();
    private final int words;

    public RouteTable(List<Route> routes) {
        this.routes = routes.toArray(new Route[0]);
        this.words = (this.routes.length + 63) >>> 6;
        for (int i = 0; i < this.routes.length; i++) {
            for (String prefix : this.routes[i].path().literalPrefixes()) {
                insert(prefix, i);
            }
        }
    }

    private void insert(String prefix, int routeIndex) {
        Node node = root.descendOrSplit(prefix, 0);
        if (node.routes == null) {
            node.routes = new long[words];
        }
        node.routes[routeIndex >>> 6] |= 1L << routeIndex;
    }

    /** The first route matching the request, or null when none does. */
    public Route match(RequestView request) {
        if (words <= 2) {
            return matchSmall(request);
        }
        String path = request.path();
        long[] candidates = new long[words];
        Node node = root;
        int depth = 0;
        while (node != null) {
            if (node.routes != null) {
                for (int w = 0; w < words; w++) {
                    candidates[w] |= node.routes[w];
                }
            }
            if (depth == path.length()) {
                break;
            }
            Node child = node.child(path.charAt(depth));
            if (child == null || !path.startsWith(child.label, depth)) {
                break;
            }
            depth += child.label.length();
            node = child;
        }
        for (int w = 0; w < words; w++) {
            Route found = firstMatch(candidates[w], w, request);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Up to 128 routes (the Synapse table fits): candidates in two longs, nothing allocated. */
    private Route matchSmall(RequestView request) {
        String path = request.path();
        long low = 0;
        long high = 0;
        Node node = root;
        int depth = 0;
        while (true) {
            long[] here = node.routes;
            if (here != null) {
                low |= here[0];
                if (words == 2) {
                    high |= here[1];
                }
            }
            if (depth == path.length()) {
                break;
            }
            Node child = node.child(path.charAt(depth));
            if (child == null || !path.startsWith(child.label, depth)) {
                break;
            }
            depth += child.label.length();
            node = child;
        }
        Route found = firstMatch(low, 0, request);
        return found != null ? found : firstMatch(high, 1, request);
    }

    private Route firstMatch(long bits, int word, RequestView request) {
        while (bits != 0) {
            int index = (word << 6) + Long.numberOfTrailingZeros(bits);
            if (routes[index].matches(request)) {
                return routes[index];
            }
            bits &= bits - 1;
        }
        return null;
    }

    public List<Route> routes() {
        return List.of(routes);
    }

    /**
     * A radix-trie node: the edge into it is {@code label} (so a walk compares whole runs of
     * characters, not one node per character); children are found by their label's first
     * character in a small array.
     */
    private static final class Node {
        private String label;
        private char[] keys = new char[0];
        private Node[] children = new Node[0];
        private long[] routes;

        Node() {
            this("");
        }

        private Node(String label) {
            this.label = label;
        }

        Node child(char c) {
            char[] k = keys;
            for (int i = 0; i < k.length; i++) {
                if (k[i] == c) {
                    return children[i];
                }
            }
            return null;
        }

        /** The node for {@code prefix[from..]} below this one, splitting edges as needed. */
        Node descendOrSplit(String prefix, int from) {
            if (from == prefix.length()) {
                return this;
            }
            Node child = child(prefix.charAt(from));
            if (child == null) {
                Node leaf = new Node(prefix.substring(from));
                add(leaf);
                return leaf;
            }
            int common = 0;
            int max = Math.min(child.label.length(), prefix.length() - from);
            while (common < max && child.label.charAt(common) == prefix.charAt(from + common)) {
                common++;
            }
            if (common < child.label.length()) {
                // Split the edge: a new node for the shared part, the old child below it.
                Node middle = new Node(child.label.substring(0, common));
                child.label = child.label.substring(common);
                replace(middle.label.charAt(0), middle);
                middle.add(child);
                child = middle;
            }
            return child.descendOrSplit(prefix, from + common);
        }

        private void add(Node child) {
            keys = Arrays.copyOf(keys, keys.length + 1);
            children = Arrays.copyOf(children, children.length + 1);
            keys[keys.length - 1] = child.label.charAt(0);
            children[children.length - 1] = child;
        }

        private void replace(char key, Node child) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == key) {
                    children[i] = child;
                    return;
                }
            }
        }
    }
}
