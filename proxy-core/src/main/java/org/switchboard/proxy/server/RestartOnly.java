package org.switchboard.proxy.server;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.switchboard.config.ListenerSpec;
import org.switchboard.config.SwitchboardSpec;

/**
 * The config sections read once at startup: sockets bound, event loops made, pools and the user
 * lookup set up. A reload that changes them is refused whole with this list, rather than half
 * applied; everything else (upstreams, routes, roles, trusted proxies, limits, timeouts but
 * connect, health checks, admin.allow and admin.tokenFile, logging, clientHalfClose) reloads.
 */
final class RestartOnly {
    private RestartOnly() {
    }

    /** What changed among the startup-only sections, or null when nothing did. */
    static String changes(SwitchboardSpec before, SwitchboardSpec after) {
        List<String> changed = new ArrayList<>();
        listenerChanges(before.listeners(), after.listeners(), changed);
        if (!before.admin().address().equals(after.admin().address())) {
            changed.add("admin.address");
        }
        if (!before.runtime().equals(after.runtime())) {
            changed.add("runtime");
        }
        if (!before.upstreamPool().equals(after.upstreamPool())) {
            changed.add("upstreamPool");
        }
        if (!before.accessLog().equals(after.accessLog())) {
            changed.add("accessLog");
        }
        if (!before.userLookup().equals(after.userLookup())) {
            changed.add("userLookup");
        }
        if (!before.discovery().equals(after.discovery())) {
            changed.add("discovery");
        }
        if (!Objects.equals(before.timeouts().connect(), after.timeouts().connect())) {
            changed.add("timeouts.connect");
        }
        return changed.isEmpty() ? null : String.join(", ", changed);
    }

    /** Located as the config's errors are: {@code listeners[0].address}, or the count when listeners came or went. */
    private static void listenerChanges(List<ListenerSpec> before, List<ListenerSpec> after, List<String> changed) {
        if (before.size() != after.size()) {
            changed.add("listeners (" + before.size() + " before, " + after.size() + " now)");
            return;
        }
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i).equals(after.get(i))) {
                continue;
            }
            for (RecordComponent field : ListenerSpec.class.getRecordComponents()) {
                if (!Objects.equals(read(field, before.get(i)), read(field, after.get(i)))) {
                    // redirectPort is the number form of the redirectToHttps key.
                    String key = field.getName().equals("redirectPort") ? "redirectToHttps" : field.getName();
                    if (!changed.contains("listeners[" + i + "]." + key)) {
                        changed.add("listeners[" + i + "]." + key);
                    }
                }
            }
        }
    }

    private static Object read(RecordComponent field, ListenerSpec listener) {
        try {
            return field.getAccessor().invoke(listener);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ListenerSpec." + field.getName(), e);
        }
    }
}
