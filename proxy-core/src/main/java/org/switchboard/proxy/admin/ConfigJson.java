package org.switchboard.proxy.admin;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.switchboard.config.Cidr;
import org.switchboard.config.DnsSpec;
import org.switchboard.config.Durations;
import org.switchboard.config.HostPort;
import org.switchboard.proxy.logging.Json;

/**
 * The effective config in force as JSON (which YAML also reads), for {@code GET /config}: what the
 * proxy actually runs, defaults and discovered endpoints filled in, in the config's own spelling
 * (durations as {@code 5s}, addresses as {@code host:port}, enums in lower case). Written from the
 * spec records' components, so a new config section shows up without a change here; it runs on
 * the rare admin request only. The spec holds no secrets: {@code admin.tokenFile} is a path.
 */
public final class ConfigJson {
    private ConfigJson() {
    }

    public static String of(Object spec) {
        StringBuilder json = new StringBuilder(4096);
        write(json, spec);
        return json.toString();
    }

    private static void write(StringBuilder json, Object value) {
        if (value == null) {
            json.append("null");
        } else if (value instanceof String text) {
            json.append(Json.quote(text));
        } else if (value instanceof Number || value instanceof Boolean) {
            json.append(value);
        } else if (value instanceof Duration duration) {
            json.append('"').append(Durations.format(duration)).append('"');
        } else if (value instanceof HostPort || value instanceof Cidr) {
            json.append(Json.quote(value.toString()));
        } else if (value instanceof DnsSpec.Type type) {
            json.append('"').append(type.name()).append('"'); // written SRV, A, AAAA
        } else if (value instanceof Enum<?> e) {
            json.append('"').append(e.name().toLowerCase(Locale.ROOT)).append('"');
        } else if (value instanceof Map<?, ?> map) {
            json.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                json.append(first ? "" : ",").append(Json.quote(String.valueOf(entry.getKey())))
                        .append(':');
                write(json, entry.getValue());
                first = false;
            }
            json.append('}');
        } else if (value instanceof Collection<?> items) {
            json.append('[');
            boolean first = true;
            for (Object item : items) {
                json.append(first ? "" : ",");
                write(json, item);
                first = false;
            }
            json.append(']');
        } else if (value instanceof Record record) {
            writeRecord(json, record);
        } else {
            json.append(Json.quote(value.toString()));
        }
    }

    private static void writeRecord(StringBuilder json, Record record) {
        json.append('{');
        boolean first = true;
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("reading " + component, e);
            }
            json.append(first ? "" : ",").append('"').append(component.getName()).append("\":");
            write(json, value);
            first = false;
        }
        json.append('}');
    }
}
