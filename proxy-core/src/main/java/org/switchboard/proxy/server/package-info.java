/**
 * Starting and reloading: {@code Switchboard} binds the listeners, builds the per-loop upstream
 * pools and installs each new snapshot; {@code Reloader} watches the config file; the transport,
 * Netty defaults and the effective settings logged at start. The top of the data path: it may use
 * every layer below, and the admin listener beside it renders its state.
 */
package org.switchboard.proxy.server;
