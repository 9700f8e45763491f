package org.switchboard.proxy;

import java.nio.charset.StandardCharsets;
import org.switchboard.proxy.codec.http1.HeadIndex;
import org.switchboard.routing.RequestView;

/**
 * Routing's view of the head just parsed, read from the event loop's index without copying it.
 * Valid only while that head is being handled (the index is reused by the next one): an exchange
 * that routes again later builds a {@link HeadBytesView} from the bytes it sent upstream.
 */
final class IndexedRequestView implements RequestView {
    private final HeadIndex index;
    private final String method;
    private final String path;
    private final String query;
    private final String clientAddress;

    IndexedRequestView(HeadIndex index, String method, String target, String clientAddress) {
        this.index = index;
        this.method = method;
        this.path = RequestView.pathOf(target);
        this.query = RequestView.queryOf(target);
        this.clientAddress = clientAddress;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String query() {
        return query;
    }

    @Override
    public String host() {
        return index.host() < 0 ? null : value(index.host());
    }

    @Override
    public String header(String name) {
        byte[] b = index.bytes();
        for (int field = 0; field < index.fieldCount(); field++) {
            int start = index.nameStart(field);
            if (index.nameEnd(field) - start == name.length() && sameName(b, start, name)) {
                return value(field);
            }
        }
        return null;
    }

    private static boolean sameName(byte[] b, int at, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase((char) b[at + i]) != Character.toLowerCase(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private String value(int field) {
        return new String(index.bytes(), index.valueStart(field), index.valueEnd(field) - index.valueStart(field),
                StandardCharsets.ISO_8859_1);
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }
}
