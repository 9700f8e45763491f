package org.switchboard.proxy.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Session ticket keys for every BoringSSL context of the proxy: tickets on (Netty turns them off
 * by default, and TLS 1.3 resumes only with tickets), the newest key encrypting, the one before it
 * still decrypting, so a ticket lives across one rotation. The JDK provider keeps its own keys.
 */
public final class TicketKeys {
    private final SecureRandom random = new SecureRandom();
    /** Contexts given keys; weak, so a context replaced by a reload is not kept alive. */
    private final Set<SslContext> contexts = Collections.newSetFromMap(new WeakHashMap<>());
    private OpenSslSessionTicketKey current = newKey();
    private OpenSslSessionTicketKey previous;
    private long rotations;

    /** Gives a new context the keys in force. */
    synchronized void install(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext session) {
            contexts.add(context);
            session.setTicketKeys(keys());
        }
    }

    /** A new encrypting key; the last one only decrypts from now on. */
    public synchronized void rotate() {
        previous = current;
        current = newKey();
        rotations++;
        for (SslContext context : contexts) {
            ((OpenSslSessionContext) context.sessionContext()).setTicketKeys(keys());
        }
    }

    public synchronized long rotations() {
        return rotations;
    }

    private OpenSslSessionTicketKey[] keys() {
        return previous == null ? new OpenSslSessionTicketKey[] {current}
                : new OpenSslSessionTicketKey[] {current, previous};
    }

    private OpenSslSessionTicketKey newKey() {
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        return new OpenSslSessionTicketKey(name, hmac, aes);
    }
}
