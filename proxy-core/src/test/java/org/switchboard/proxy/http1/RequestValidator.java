package org.switchboard.proxy.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import org.switchboard.proxy.router.MatrixErrors;

/**
 * Checks a decoded request head for what the codec lets through but Synapse must never see
 * (RFC 9112): a request-target with bytes outside visible ASCII or with a fragment, a missing, repeated or malformed
 * Host, an absolute-form target naming another host, a major version other than 1. An
 * absolute-form target for this host is turned into origin-form, as a server must accept it.
 */
final class RequestValidator {
    private RequestValidator() {
    }

    /** The error to answer with, or null when the request may go on. */
    static MatrixErrors check(HttpRequest request) {
        if (request.protocolVersion().majorVersion() != 1) {
            return MatrixErrors.VERSION_NOT_SUPPORTED;
        }
        String target = request.uri();
        if (!isVisibleAscii(target) || target.indexOf('#') >= 0) {
            return MatrixErrors.BAD_REQUEST;
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        boolean http11 = request.protocolVersion().minorVersion() >= 1;
        if (hosts.size() > 1 || (http11 && hosts.isEmpty()) || (!hosts.isEmpty() && !isAuthority(hosts.get(0)))) {
            return MatrixErrors.BAD_REQUEST;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return MatrixErrors.METHOD_NOT_IMPLEMENTED; // the one verdict the new parser changed on purpose
        }
        if (target.startsWith("/")) {
            return null;
        }
        if (target.equals("*")) {
            return HttpMethod.OPTIONS.equals(request.method()) ? null : MatrixErrors.BAD_REQUEST;
        }
        return toOriginForm(request, hosts.isEmpty() ? null : hosts.get(0));
    }

    /** {@code http://host/path?q} for this very host becomes {@code /path?q}; any other host is refused. */
    private static MatrixErrors toOriginForm(HttpRequest request, String host) {
        String target = request.uri();
        int schemeEnd = target.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return MatrixErrors.BAD_REQUEST;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && "/?".indexOf(target.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = target.substring(authorityStart, authorityEnd);
        String defaultPort = scheme.equalsIgnoreCase("https") ? ":443" : ":80";
        if (host == null || !isAuthority(authority)
                || !origin(authority, defaultPort).equalsIgnoreCase(origin(host, defaultPort))) {
            return MatrixErrors.BAD_REQUEST;
        }
        String rest = target.substring(authorityEnd);
        request.setUri(rest.startsWith("/") ? rest : "/" + rest);
        return null;
    }

    /** {@code h:}, {@code h:80} and {@code h.} are {@code h} for http (RFC 3986 6.2.3; the DNS root). */
    private static String origin(String authority, String defaultPort) {
        String host = authority;
        if (host.endsWith(":") && !host.endsWith("::")) {
            host = host.substring(0, host.length() - 1);
        } else if (host.endsWith(defaultPort)) {
            host = host.substring(0, host.length() - defaultPort.length());
        }
        int colon = host.startsWith("[") ? host.indexOf(']') + 1 : host.indexOf(':');
        String port = colon > 0 && colon < host.length() ? host.substring(colon) : "";
        String name = colon > 0 && colon < host.length() ? host.substring(0, colon) : host;
        return (name.length() > 1 && name.endsWith(".") ? name.substring(0, name.length() - 1) : name) + port;
    }

    private static boolean isVisibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return !text.isEmpty();
    }

    /** host[:port] as RFC 3986 allows it: reg-name, IPv4 or [IPv6], no spaces or controls. */
    private static boolean isAuthority(String value) {
        if (value.isEmpty() || value.length() > 255) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~%!$&'()*+,;=:[]".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        // host [":" port]: brackets around the whole host only; the port is digits, at most 65535.
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = value.substring(0, close + 1);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return false;
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = value.indexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? null : value.substring(colon + 1);
            if (host.isEmpty() || host.contains("[") || host.contains("]")) {
                return false;
            }
        }
        return port == null || port.isEmpty() || port.length() <= 5 && port.chars().allMatch(Character::isDigit)
                && Integer.parseInt(port) <= 65535;
    }
}
