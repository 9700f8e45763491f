/** The demo: fake Synapse workers on loopback behind a running proxy, for a first look. */
package org.switchboard.proxy.demo;
