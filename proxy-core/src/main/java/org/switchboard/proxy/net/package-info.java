/**
 * Socket-level steps every layer above shares, whatever protocol it speaks: knows Netty channels
 * and nothing of the proxy.
 */
package org.switchboard.proxy.net;
