package org.switchboard.proxy.router;

import java.nio.charset.StandardCharsets;
import org.switchboard.proxy.codec.http1.HeadIndex;

/**
 * Routing's view of the head just parsed, read from the event loop's index without copying it.
 * Valid only while that head is being handled (the index is reused by the next one): an exchange
 * that routes again later builds a {@link HeadBytesView} from the bytes it sent upstream.
 */
public final class IndexedRequestView extends HeadRequestView {
    private final HeadIndex index;

    public IndexedRequestView(HeadIndex index, String method, String target, String clientAddress) {
        super(method, target, clientAddress);
        this.index = index;
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

    private String value(int field) {
        return new String(index.bytes(), index.valueStart(field), index.valueEnd(field) - index.valueStart(field),
                StandardCharsets.ISO_8859_1);
    }
}
