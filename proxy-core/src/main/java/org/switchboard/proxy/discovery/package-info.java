/** DNS discovery of endpoints (SRV, A, AAAA) with Netty's asynchronous resolver, applied without a reload. */
package org.switchboard.proxy.discovery;
