package org.switchboard.proxy.router;

import org.switchboard.routing.RequestView;

/**
 * What the two views of an HTTP/1 request head share: the method, the path and query cut from
 * the target once, the client's address. How a header is found is each view's own.
 */
abstract class HeadRequestView implements RequestView {
    private final String method;
    private final String path;
    private final String query;
    private final String clientAddress;

    HeadRequestView(String method, String target, String clientAddress) {
        this.method = method;
        this.path = RequestView.pathOf(target);
        this.query = RequestView.queryOf(target);
        this.clientAddress = clientAddress;
    }

    @Override
    public final String method() {
        return method;
    }

    @Override
    public final String path() {
        return path;
    }

    @Override
    public final String query() {
        return query;
    }

    @Override
    public final String clientAddress() {
        return clientAddress;
    }

    /** Whether the name at {@code b[at]} is {@code name}, ignoring ASCII case. */
    static boolean sameName(byte[] b, int at, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase((char) b[at + i]) != Character.toLowerCase(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
