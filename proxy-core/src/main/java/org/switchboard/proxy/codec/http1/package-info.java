/**
 * HTTP/1 on the wire, as bytes: one strict pass that indexes a message head in place
 * ({@link org.switchboard.proxy.codec.http1.HeadIndex}), the next hop's head written by copying
 * the kept field lines ({@link org.switchboard.proxy.codec.http1.HeadWriter}), and body framing
 * followed across reads. Pure: no channel, no routing, no config; it depends on Netty's buffers
 * and the JDK only (ArchitectureTest keeps it so), which is what lets it be fuzzed and compared
 * with the former codec path byte for byte.
 */
package org.switchboard.proxy.codec.http1;
