/**
 * The application log: one line per event (text, or JSON for log shippers) and rate limits for
 * events that can repeat at traffic speed. Depends on nothing else of the proxy.
 */
package org.switchboard.proxy.logging;
