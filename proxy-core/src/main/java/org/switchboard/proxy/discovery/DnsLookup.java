package org.switchboard.proxy.discovery;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.switchboard.config.DnsSpec;
import org.switchboard.config.EndpointSpec;
import org.switchboard.config.HostPort;

/**
 * One lookup of an upstream's endpoints, on the resolver's event loop, never blocking: the
 * promise completes with the endpoints sorted by identity, or fails (no records, no answer).
 *
 * <p>SRV: each record's target names a pod ({@code synapse-sync-3.synapse-sync.matrix.svc...});
 * that name, not its address, is the endpoint's identity, so a pod that comes back with a new IP
 * keeps its place on the hash ring. A/AAAA: the address is the identity.
 */
final class DnsLookup {
    private DnsLookup() {
    }

    /** @param loop the resolver's event loop: every callback runs there */
    static Future<List<EndpointSpec>> endpoints(EventLoop loop, DnsNameResolver resolver, DnsSpec spec) {
        Promise<List<EndpointSpec>> result = loop.newPromise();
        DnsRecordType type = switch (spec.type()) {
            case SRV -> DnsRecordType.SRV;
            case A -> DnsRecordType.A;
            case AAAA -> DnsRecordType.AAAA;
        };
        resolver.resolveAll(new DefaultDnsQuestion(spec.name(), type)).addListener((Future<List<DnsRecord>> answer) -> {
            if (!answer.isSuccess()) {
                result.tryFailure(answer.cause());
                return;
            }
            List<DnsRecord> records = answer.getNow();
            try {
                if (spec.type() == DnsSpec.Type.SRV) {
                    resolveTargets(resolver, services(records), result);
                } else {
                    complete(result, addressEndpoints(records, type, spec.port()), spec.name());
                }
            } catch (RuntimeException e) {
                result.tryFailure(e);
            } finally {
                records.forEach(ReferenceCountUtil::release);
            }
        });
        return result;
    }

    /** A decoded SRV record: RFC 2782's target and port (priority and weight are not used). */
    record Service(String target, int port) {
    }

    static List<Service> services(List<DnsRecord> records) {
        List<Service> services = new ArrayList<>();
        for (DnsRecord record : records) {
            if (record.type() != DnsRecordType.SRV || !(record instanceof DnsRawRecord raw)) {
                continue;
            }
            // The content is a view into the whole message, so compressed target names decode.
            ByteBuf content = raw.content().duplicate();
            if (content.readableBytes() < 7) {
                continue;
            }
            content.skipBytes(4); // priority, weight
            int port = content.readUnsignedShort();
            String target = stripDot(DefaultDnsRecordDecoder.decodeName(content));
            if (port != 0 && !target.isEmpty()) {
                services.add(new Service(target, port));
            }
        }
        return services;
    }

    private static List<EndpointSpec> addressEndpoints(List<DnsRecord> records, DnsRecordType type, int port) {
        List<EndpointSpec> endpoints = new ArrayList<>();
        int length = type == DnsRecordType.A ? 4 : 16;
        for (DnsRecord record : records) {
            if (record.type() == type && record instanceof DnsRawRecord raw && raw.content().readableBytes() == length) {
                byte[] bytes = new byte[length];
                raw.content().getBytes(raw.content().readerIndex(), bytes);
                EndpointSpec endpoint = EndpointSpec.of(HostPort.of(literal(bytes), port));
                if (!endpoints.contains(endpoint)) {
                    endpoints.add(endpoint);
                }
            }
        }
        return endpoints;
    }

    /** Looks up every SRV target's address; a target that does not resolve is left out. */
    private static void resolveTargets(DnsNameResolver resolver, List<Service> services,
                                       Promise<List<EndpointSpec>> result) {
        if (services.isEmpty()) {
            result.tryFailure(new UnknownHostException("no SRV records"));
            return;
        }
        Map<String, Integer> perTarget = new HashMap<>();
        services.forEach(service -> perTarget.merge(service.target(), 1, Integer::sum));
        List<EndpointSpec> endpoints = new ArrayList<>();
        int[] pending = {services.size()};
        for (Service service : services) {
            // A target listed once (the Kubernetes case) is identified by its name alone.
            String id = perTarget.get(service.target()) == 1 ? service.target() : service.target() + ":" + service.port();
            resolver.resolve(service.target() + ".").addListener((Future<InetAddress> address) -> {
                if (address.isSuccess()) {
                    endpoints.add(new EndpointSpec(id, HostPort.of(literal(address.getNow().getAddress()), service.port()), 1));
                }
                if (--pending[0] == 0) {
                    complete(result, endpoints, "the SRV targets");
                }
            });
        }
    }

    private static void complete(Promise<List<EndpointSpec>> result, List<EndpointSpec> endpoints, String what) {
        if (endpoints.isEmpty()) {
            result.tryFailure(new UnknownHostException("no address for " + what));
            return;
        }
        List<EndpointSpec> sorted = new ArrayList<>(endpoints);
        sorted.sort(Comparator.comparing(EndpointSpec::id));
        result.trySuccess(List.copyOf(sorted));
    }

    private static String literal(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + address.length, e);
        }
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
