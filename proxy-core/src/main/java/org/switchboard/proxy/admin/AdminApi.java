package org.switchboard.proxy.admin;

import java.util.concurrent.CompletableFuture;

/** What the admin listener shows and does; answers are JSON. Never blocks an event loop. */
public interface AdminApi {

    /** An answer: status code and JSON body. */
    record Answer(int status, String json) {
    }

    boolean ready();

    /** A drain has begun: {@code /ready} says so rather than "starting". */
    boolean draining();

    /** Every endpoint's health and load. */
    String endpointsJson();

    /** {@code /status}: listeners, endpoints, recent errors, the config generation. */
    String statusJson();

    /** {@code /}: the same for people. */
    String statusHtml();

    /** Prometheus exposition text. */
    String metricsText();

    /** The effective config in force with its generation, reload counts and the last reload's outcome. */
    String configJson();

    /** Who may use actions (POST /reload, POST /drain); replaced at each reload. */
    AdminAccess access();

    /** Reloads the config file off the event loop. */
    CompletableFuture<Answer> reload();

    /** Starts the graceful drain, as SIGTERM does (once; again is a no-op), and answers at once. */
    Answer drain();
}
