package org.switchboard.proxy.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.switchboard.config.HostPort;
import org.switchboard.config.UserLookupSpec;
import org.switchboard.routing.Hashing;
import org.switchboard.routing.TokenUsers;

/**
 * Learns the user behind tokens that name none by asking Synapse's main process
 * ({@code GET /_matrix/client/v3/account/whoami}) on a small thread pool of its own, never on an
 * event loop. The request path only reads the cache: until an answer is cached the whole token is
 * the key. Tokens are remembered by a 64-bit hash, so no token sits in the cache; a collision
 * could only send one user's syncs to another user's synchrotron.
 */
public final class WhoamiUserLookup implements TokenUsers, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WhoamiUserLookup.class.getName());
    private static final String WHOAMI = "/_matrix/client/v3/account/whoami";
    /** Lookups waiting or running at once; more are skipped (and retried by a later request). */
    private static final int MAX_PENDING = 64;
    private static final Pattern USER_ID = Pattern.compile("\"user_id\"\\s*:\\s*\"(@[^\"\\\\]+)\"");

    private final Cache<Long, String> users;
    private final Set<Long> pending = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor executor;
    private final HttpClient http;
    private final Supplier<HostPort> mainEndpoint;
    private final UserLookupSpec spec;

    public WhoamiUserLookup(UserLookupSpec spec, Supplier<HostPort> mainEndpoint) {
        this.spec = spec;
        this.mainEndpoint = mainEndpoint;
        this.users = Caffeine.newBuilder()
                .maximumSize(spec.cacheSize())
                .expireAfterWrite(spec.expireAfter())
                .recordStats()
                .build();
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_PENDING),
                runnable -> {
                    Thread thread = new Thread(runnable, "switchboard-whoami");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
        this.executor.allowCoreThreadTimeOut(true);
        this.http = HttpClient.newBuilder()
                .connectTimeout(spec.timeout())
                .executor(executor)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String userOf(String token) {
        long key = Hashing.hash(token);
        String user = users.getIfPresent(key);
        if (user == null) {
            lookUpLater(key, token);
        }
        return user;
    }

    private void lookUpLater(long key, String token) {
        if (pending.size() >= MAX_PENDING || !pending.add(key)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    lookUp(key, token);
                } finally {
                    pending.remove(key);
                }
            });
        } catch (RuntimeException rejected) {
            pending.remove(key);
        }
    }

    private void lookUp(long key, String token) {
        HostPort main = mainEndpoint.get();
        if (main == null) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + main + WHOAMI))
                .timeout(spec.timeout())
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return; // 401 for an unknown token: nothing to learn, and nothing about it is logged
            }
            Matcher userId = USER_ID.matcher(response.body());
            if (userId.find()) {
                users.put(key, userId.group(1));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "whoami lookup against " + main + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    CacheStats stats() {
        return users.stats();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
