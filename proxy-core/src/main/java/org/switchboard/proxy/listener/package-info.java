/**
 * Accepting client connections: the channel initializer (per-client and total connection limits,
 * PROXY protocol, TLS with SNI), and the drain that closes the listeners and tells every open
 * connection to finish. Installs the protocol codec above it; knows nothing of requests.
 */
package org.switchboard.proxy.listener;
