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

    /** The config generation in force, reload counts, the last reload error. */
    String configJson();

    /** Reloads the config file off the event loop. */
    CompletableFuture<Answer> reload();
}
