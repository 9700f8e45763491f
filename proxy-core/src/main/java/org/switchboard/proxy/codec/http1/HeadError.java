package org.switchboard.proxy.codec.http1;

/**
 * Why a message head was refused. The codec only names the reason; the request journey turns it
 * into a local reply (requests) or a 502 (responses from an upstream).
 */
public enum HeadError {
    /** Not HTTP/1 syntax as RFC 9112 writes it, or framing that two parsers could read two ways. */
    MALFORMED,
    /** The request-target is longer than its limit (414). */
    TARGET_TOO_LONG,
    /** The header section is larger than its limit, or has too many fields (431). */
    HEADERS_TOO_LARGE,
    /** A major version other than 1 (505), HTTP/2's preface included. */
    VERSION_NOT_SUPPORTED,
    /** A transfer coding other than chunked (501). */
    CODING_NOT_IMPLEMENTED,
    /** A method this proxy does not forward: CONNECT, or one longer than any registered method (501). */
    METHOD_NOT_IMPLEMENTED,
    /** An Expect other than 100-continue (417). */
    EXPECTATION_FAILED
}
