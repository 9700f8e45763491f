package org.switchboard.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the loaded YAML tree to a {@link SwitchboardSpec}, collecting every error. One instance
 * binds one document. A part with an error binds to null; the errors then make the whole load
 * fail, so no half-built spec ever escapes.
 */
final class SpecBinder {
    static final String NAME_EXPECTED = "expected a name of letters, digits, _ and -";
    private static final String[] TOP_KEYS =
            {"listeners", "admin", "upstreams", "routes", "roles", "timeouts", "upstreamPool", "userLookup",
             "clientAddress", "limits", "accessLog", "runtime", "healthCheck", "outlierDetection", "discovery", "logging",
             "clientHalfClose", "drain", "wellKnown", "defaultHost", "synapse"};

    private final Errors errors = new Errors();
    private final FileChecks checks;
    /** Addresses bound so far with where they were written, to catch two sockets on one port. */
    private final Map<HostPort, String> boundAddresses = new LinkedHashMap<>();
    /** The {@code proxyProtocol: true} of each listener: those need a trusted proxy to accept anyone. */
    private final List<Node> proxyProtocolListeners = new ArrayList<>();
    /** Upstream names written as values of {@code roles:}, valid or not: they count as used. */
    private final Set<String> rolesNamed = new HashSet<>();

    private SpecBinder(FileChecks checks) {
        this.checks = checks;
    }

    static SwitchboardSpec bind(Object document, String sourceName, FileChecks checks) throws ConfigException {
        SpecBinder binder = new SpecBinder(checks);
        SwitchboardSpec spec = binder.bind(Node.root(document, sourceName, binder.errors));
        binder.errors.throwIfAny();
        return spec;
    }

    private SwitchboardSpec bind(Node root) {
        if (!root.expectMap(TOP_KEYS)) {
            return null;
        }
        List<ListenerSpec> listeners = listeners(root.field("listeners"));
        AdminSpec admin = admin(root.field("admin"));
        // The top-level sections are only the base each upstream's own section is merged over.
        HealthCheckSpec healthCheck = HealthBinder.healthCheck(root.field("healthCheck"), HealthCheckSpec.DEFAULTS);
        OutlierDetectionSpec outlierDetection =
                HealthBinder.outlierDetection(root.field("outlierDetection"), OutlierDetectionSpec.DEFAULTS);
        Node upstreamsNode = root.field("upstreams");
        Map<String, Node> upstreamEntries = upstreamsNode.entries("expected a map of upstream names to upstreams");
        Map<String, UpstreamSpec> upstreams = upstreams(upstreamsNode, upstreamEntries, healthCheck, outlierDetection);
        // Every name written, valid or not, so a route naming a broken upstream is not flagged too.
        Set<String> upstreamNames = upstreamEntries == null ? null : upstreamEntries.keySet();
        Map<String, String> roles = roles(root.field("roles"), upstreamNames);
        RouteBinder routeBinder = new RouteBinder(errors, upstreamNames, roles);
        int beforeRoutes = errors.count();
        List<RouteEntrySpec> routes = routeBinder.routes(root.field("routes"));
        // Routes with errors are not all there: what they name cannot be judged until they are fixed.
        List<RouteEntrySpec> wholeRoutes = errors.noneSince(beforeRoutes) ? routes : null;
        if (upstreamEntries != null) {
            Set<String> named = new HashSet<>(routeBinder.upstreamsNamed());
            named.addAll(rolesNamed);
            UpstreamUse.check(upstreamEntries, named, roles);
        }
        TimeoutsSpec timeouts = timeouts(root.field("timeouts"));
        UpstreamPoolSpec upstreamPool = upstreamPool(root.field("upstreamPool"));
        UserLookupSpec userLookup = userLookup(root.field("userLookup"));
        ClientAddressSpec clientAddress = clientAddress(root.field("clientAddress"));
        if (clientAddress != null && clientAddress.trustedProxies().isEmpty()) {
            // Only a trusted proxy may send the PROXY header: such a listener would refuse every connection.
            proxyProtocolListeners.forEach(node -> node.fail("true without clientAddress.trustedProxies",
                    "expected the balancers' addresses in clientAddress.trustedProxies, which alone may send the header"));
        }
        LimitsSpec limits = limits(root.field("limits"));
        AccessLogSpec accessLog = accessLog(root.field("accessLog"));
        RuntimeSpec runtime = runtime(root.field("runtime"));
        DiscoverySpec discovery = DiscoveryBinder.discovery(root.field("discovery"));
        LoggingSpec logging = OptionBinder.logging(root.field("logging"));
        ClientHalfClose clientHalfClose = OptionBinder.clientHalfClose(root.field("clientHalfClose"));
        DrainSpec drain = drain(root.field("drain"));
        WellKnownSpec wellKnown = WellKnownBinder.wellKnown(root.field("wellKnown"), errors);
        String defaultHost = defaultHost(root.field("defaultHost"), wholeRoutes);
        SynapseSpec synapse = OptionBinder.synapse(root.field("synapse"));
        if (errors.count() > 0) {
            return null;
        }
        return new SwitchboardSpec(listeners, admin, upstreams, routes, roles, timeouts, upstreamPool, userLookup,
                clientAddress, limits, accessLog, runtime, discovery, logging, clientHalfClose, drain, wellKnown, defaultHost, synapse);
    }

    /** {@code defaultHost}: the host whose routes serve requests for hosts no route names; one a route names. */
    private static String defaultHost(Node node, List<RouteEntrySpec> routes) {
        if (node.isAbsent()) {
            return null;
        }
        String host = RouteBinder.host(node);
        if (host == null || routes == null) {
            return host;
        }
        if (host.startsWith("*.")) {
            node.fail("expected a host name, not a wildcard");
            return null;
        }
        for (RouteEntrySpec entry : routes) {
            String pattern = entry instanceof RouteSpec route ? route.host() : ((PresetSpec) entry).host();
            if (pattern != null && RouteBinder.covers(pattern, host)) {
                return host;
            }
        }
        node.fail("expected a host that a route names");
        return null;
    }

    private List<ListenerSpec> listeners(Node node) {
        List<Node> items = node.list("expected a list of listeners");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            node.fail("an empty list", "expected at least one listener");
            return null;
        }
        List<ListenerSpec> listeners = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        List<Node> redirects = new ArrayList<>();
        int tlsListeners = 0;
        for (int index = 0; index < items.size(); index++) {
            Node item = items.get(index);
            int mark = errors.count();
            if (!item.expectMap("name", "address", "proxyProtocol", "tls", "redirectToHttps", "http2")) {
                continue;
            }
            Node nameNode = item.field("name");
            String name = name(nameNode);
            if (name != null && names.containsKey(name)) {
                nameNode.fail("expected a name not already used by " + names.get(name));
            } else if (name != null) {
                names.put(name, item.location());
            }
            HostPort address = address(item.field("address"));
            Node proxyProtocolNode = item.field("proxyProtocol");
            Boolean proxyProtocol = proxyProtocolNode.isAbsent() ? Boolean.FALSE : proxyProtocolNode.bool();
            if (Boolean.TRUE.equals(proxyProtocol)) {
                proxyProtocolListeners.add(proxyProtocolNode);
            }
            Node tlsNode = item.field("tls");
            TlsSpec tls = tlsNode.isAbsent() ? null : TlsBinder.tls(tlsNode);
            Node redirectNode = item.field("redirectToHttps");
            // true: towards the first TLS listener's own port; a number: the port clients reach
            // HTTPS on (a load balancer's 443 in front of a listener on 8443).
            int redirectPort = 0;
            Boolean redirect;
            if (redirectNode.isAbsent()) {
                redirect = Boolean.FALSE;
            } else if (redirectNode.isBoolean()) {
                redirect = redirectNode.bool();
            } else if (redirectNode.isNumber()) {
                Integer port = redirectNode.integer(1, 65535);
                redirect = port == null ? null : Boolean.TRUE;
                redirectPort = port == null ? 0 : port;
            } else {
                redirectNode.fail("expected true, false or the HTTPS port clients reach (1-65535)");
                redirect = null;
            }
            if (Boolean.TRUE.equals(redirect) && !tlsNode.isAbsent()) {
                redirectNode.fail(redirectSaid(redirectPort) + " on a listener with tls",
                        "expected redirectToHttps only on a plain listener");
            }
            if (Boolean.TRUE.equals(redirect)) {
                redirects.add(redirectNode);
            }
            if (!tlsNode.isAbsent()) {
                tlsListeners++;
            }
            Node http2Node = item.field("http2");
            Boolean http2 = http2Node.isAbsent() ? Boolean.valueOf(!tlsNode.isAbsent()) : http2Node.bool();
            if (tls != null) {
                // Checked whatever else is wrong with the listener: one round of edits fixes everything.
                errors.addLocated(checks.tlsListener(index, tls, !Boolean.FALSE.equals(http2)));
            }
            if (errors.noneSince(mark)) {
                listeners.add(new ListenerSpec(name, address, proxyProtocol, tls, redirect, redirectPort, http2));
            }
        }
        if (tlsListeners == 0) {
            redirects.forEach(redirect -> redirect.fail(
                    redirectSaid(redirect.isNumber() ? redirect.integer(1, 65535) : 0) + " without a listener with tls",
                    "expected a listener with tls to redirect to"));
        }
        return listeners;
    }

    /** What a valid redirectToHttps said, for a message: true, or the port it named. */
    private static String redirectSaid(int port) {
        return port == 0 ? "true" : Integer.toString(port);
    }

    private AdminSpec admin(Node node) {
        if (node.isAbsent()) {
            return defaultAdmin(node.location() + ".address");
        }
        if (!node.expectMap("address", "allow", "tokenFile")) {
            return null;
        }
        Node addressNode = node.field("address");
        AdminSpec admin = addressNode.isAbsent() ? defaultAdmin(addressNode.location()) : null;
        HostPort address = admin != null ? admin.address() : addressNode.isAbsent() ? null : address(addressNode);
        Node allowNode = node.field("allow");
        // When set, only what it lists: an empty list leaves actions to the token alone.
        List<Cidr> allow = allowNode.isAbsent() ? AdminSpec.LOOPBACK : allowNode.cidrs();
        Node tokenNode = node.field("tokenFile");
        String tokenFile = tokenNode.isAbsent() ? null : tokenNode.path("expected the path of a file holding a token");
        if (tokenFile != null) {
            // Checked whatever else is wrong here: one round of edits fixes everything.
            errors.addLocated(checks.tokenFile(tokenNode.location(), tokenFile));
        }
        if (address == null || allow == null || (!tokenNode.isAbsent() && tokenFile == null)) {
            return null;
        }
        return new AdminSpec(address, allow, tokenFile);
    }

    private AdminSpec defaultAdmin(String location) {
        HostPort address = AdminSpec.DEFAULT_ADDRESS;
        boolean free = claim(address, location, "default " + Node.describe(address.toString()));
        return free ? AdminSpec.of(address) : null;
    }

    /** A listening address, checked against those already bound. */
    private HostPort address(Node node) {
        HostPort address = node.hostPort(true);
        if (address == null) {
            return null;
        }
        return claim(address, node.location(), Node.describe(address.toString())) ? address : null;
    }

    /** Records {@code address} as bound at {@code location}; false (reported) if it clashes. */
    private boolean claim(HostPort address, String location, String found) {
        if (address.port() == 0) {
            return true; // each port-0 socket gets its own ephemeral port
        }
        for (Map.Entry<HostPort, String> bound : boundAddresses.entrySet()) {
            if (overlaps(bound.getKey(), address)) {
                errors.add(location, found, "expected an address not already used by " + bound.getValue());
                return false;
            }
        }
        boundAddresses.put(address, location);
        return true;
    }

    /**
     * The same port on the same host, or on a wildcard host, cannot be bound twice; the same host
     * however it is written ({@code 127.0.0.1}, {@code localhost}, {@code ::ffff:127.0.0.1}).
     */
    private static boolean overlaps(HostPort a, HostPort b) {
        if (a.port() != b.port()) {
            return false;
        }
        byte[] x = literal(a.host());
        byte[] y = literal(b.host());
        if (isWildcard(x) || isWildcard(y)) {
            return true;
        }
        return x != null && y != null ? Arrays.equals(x, y) : a.host().equalsIgnoreCase(b.host());
    }

    /** The address a host names without a lookup: its literal, 127.0.0.1 for localhost; null for other names. */
    private static byte[] literal(String host) {
        return host.equalsIgnoreCase("localhost") ? new byte[] {127, 0, 0, 1} : Cidr.IpLiterals.parse(host);
    }

    private static boolean isWildcard(byte[] address) {
        if (address == null) {
            return false;
        }
        for (byte b : address) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private Map<String, UpstreamSpec> upstreams(Node node, Map<String, Node> entries, HealthCheckSpec healthCheckBase,
                                                OutlierDetectionSpec outlierDetectionBase) {
        if (entries == null) {
            return null;
        }
        if (entries.isEmpty()) {
            node.fail("an empty map", "expected at least one upstream");
            return null;
        }
        Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : entries.entrySet()) {
            int mark = errors.count();
            Node upstream = entry.getValue();
            if (!isName(entry.getKey())) {
                String hint = UpstreamUse.synapseAppHint(entry.getKey());
                upstream.fail(Node.describe(entry.getKey()), NAME_EXPECTED + (hint == null ? "" : "; " + hint));
            }
            if (!upstream.expectMap("endpoints", "dns", "loadBalancer", "hashBalanceFactor", "healthCheck",
                    "outlierDetection")) {
                continue;
            }
            Node endpointsNode = upstream.field("endpoints");
            Node dnsNode = upstream.field("dns");
            List<EndpointSpec> endpoints = List.of();
            DnsSpec dns = null;
            if (!dnsNode.isAbsent() && !endpointsNode.isAbsent()) {
                dnsNode.fail("expected either endpoints or dns, not both");
            } else if (!dnsNode.isAbsent()) {
                dns = DiscoveryBinder.dns(dnsNode);
            } else if (endpointsNode.isAbsent()) {
                endpointsNode.fail("expected a list of host:port endpoints, or dns: {name, type, port, refresh} instead");
            } else {
                endpoints = endpoints(endpointsNode);
            }
            LoadBalancerKind loadBalancer = loadBalancer(upstream.field("loadBalancer"));
            Node factorNode = upstream.field("hashBalanceFactor");
            Double factor = factorNode.isAbsent() ? Double.valueOf(0) : factorNode.number(1.0, 100.0);
            HealthCheckSpec healthCheck = HealthBinder.healthCheck(upstream.field("healthCheck"), healthCheckBase);
            OutlierDetectionSpec outlierDetection =
                    HealthBinder.outlierDetection(upstream.field("outlierDetection"), outlierDetectionBase);
            if (errors.noneSince(mark)) {
                upstreams.put(entry.getKey(), new UpstreamSpec(entry.getKey(), endpoints, dns, loadBalancer, factor,
                        healthCheck, outlierDetection));
            }
        }
        return upstreams;
    }

    private List<EndpointSpec> endpoints(Node node) {
        List<Node> items = node.list("expected a list of host:port endpoints");
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            node.fail("an empty list", "expected at least one endpoint");
            return null;
        }
        List<EndpointSpec> endpoints = new ArrayList<>();
        Map<HostPort, String> seen = new LinkedHashMap<>();
        Map<String, String> seenIds = new LinkedHashMap<>();
        for (Node item : items) {
            EndpointSpec endpoint = item.isMap() ? endpointMap(item) : endpointString(item);
            if (endpoint == null) {
                continue;
            }
            String first = seen.putIfAbsent(endpoint.address(), item.location());
            if (first != null) {
                item.fail("expected an endpoint not already listed as " + first);
                continue;
            }
            String firstWithId = seenIds.putIfAbsent(endpoint.id(), item.location());
            if (firstWithId != null) {
                Node idNode = item.isMap() ? item.field("id") : item;
                (idNode.isAbsent() ? item : idNode).fail("expected an id not already used by " + firstWithId);
                continue;
            }
            endpoints.add(endpoint);
        }
        return endpoints;
    }

    private static EndpointSpec endpointString(Node item) {
        HostPort address = item.hostPort(false);
        return address == null ? null : EndpointSpec.of(address);
    }

    /** {@code {address: "host:port", id: "synapse-sync-1", weight: 2}}; id and weight optional. */
    private EndpointSpec endpointMap(Node item) {
        int mark = errors.count();
        if (!item.expectMap("address", "id", "weight")) {
            return null;
        }
        HostPort address = item.field("address").hostPort(false);
        Node idNode = item.field("id");
        String id = idNode.isAbsent() ? null : idNode.string("expected an endpoint id (any non-empty text)");
        if (id != null && id.isBlank()) {
            idNode.fail("expected an endpoint id (any non-empty text)");
        }
        Integer weight = item.field("weight").integerOr(1, EndpointSpec.MAX_WEIGHT, 1);
        if (!errors.noneSince(mark)) {
            return null;
        }
        return new EndpointSpec(id == null ? address.toString() : id, address, weight);
    }

    private static LoadBalancerKind loadBalancer(Node node) {
        if (node.isAbsent()) {
            return null;
        }
        String expected = "expected one of: round_robin, least_request, ring_hash";
        String text = node.string(expected);
        LoadBalancerKind kind = text == null ? null : LoadBalancerKind.fromConfigName(text);
        if (text != null && kind == null) {
            node.fail(expected);
        }
        return kind;
    }

    /** {@code roles: {media: media-pool}}: a role of the built-in table served by another upstream. */
    private Map<String, String> roles(Node node, Set<String> upstreamNames) {
        if (node.isAbsent()) {
            return Map.of();
        }
        Map<String, Node> entries = node.entries("expected a map of role names to upstream names");
        if (entries == null) {
            return Map.of();
        }
        Map<String, String> roles = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : entries.entrySet()) {
            Node value = entry.getValue();
            if (!PresetSpec.SYNAPSE_ROLES.contains(entry.getKey())) {
                value.fail(Node.describe(entry.getKey()), "expected a role: " + String.join(", ", PresetSpec.SYNAPSE_ROLES));
                continue;
            }
            String upstream = value.string("expected the name of an upstream");
            if (upstream == null) {
                continue;
            }
            rolesNamed.add(upstream);
            if (upstreamNames != null && !upstreamNames.isEmpty() && !upstreamNames.contains(upstream)) {
                value.fail("expected one of: " + String.join(", ", upstreamNames));
                continue;
            }
            roles.put(entry.getKey(), upstream);
        }
        return roles;
    }

    private TimeoutsSpec timeouts(Node node) {
        TimeoutsSpec defaults = TimeoutsSpec.DEFAULTS;
        if (node.isAbsent()) {
            return defaults;
        }
        if (!node.expectMap("connect", "upstreamResponse", "downstreamIdle", "requestHeader", "requestBody", "websocketIdle")) {
            return null;
        }
        Duration connect = node.field("connect").durationOr(defaults.connect());
        Duration upstreamResponse = node.field("upstreamResponse").durationOr(defaults.upstreamResponse());
        Duration downstreamIdle = node.field("downstreamIdle").durationOr(defaults.downstreamIdle());
        Duration requestHeader = node.field("requestHeader").durationOr(defaults.requestHeader());
        Duration requestBody = node.field("requestBody").durationOr(defaults.requestBody());
        Duration websocketIdle = node.field("websocketIdle").durationOr(defaults.websocketIdle());
        return new TimeoutsSpec(connect, upstreamResponse, downstreamIdle, requestHeader, requestBody, websocketIdle);
    }

    private static DrainSpec drain(Node node) {
        DrainSpec defaults = DrainSpec.DEFAULTS;
        if (node.isAbsent()) {
            return defaults;
        }
        if (!node.expectMap("delay", "timeout", "websocketSpread")) {
            return null;
        }
        Node delayNode = node.field("delay");
        Duration delay = delayNode.isAbsent() ? defaults.delay() : delayNode.durationZeroAllowed();
        Duration timeout = node.field("timeout").durationOr(defaults.timeout());
        Node spreadNode = node.field("websocketSpread");
        Duration spread = spreadNode.isAbsent() ? defaults.websocketSpread() : spreadNode.durationZeroAllowed();
        return delay == null || timeout == null || spread == null ? null : new DrainSpec(delay, timeout, spread);
    }

    private AccessLogSpec accessLog(Node node) {
        if (node.isAbsent()) {
            return AccessLogSpec.DEFAULTS;
        }
        if (!node.expectMap("enabled", "path", "sample")) {
            return null;
        }
        Node enabledNode = node.field("enabled");
        Boolean enabled = enabledNode.isAbsent() ? Boolean.TRUE : enabledNode.bool();
        Node pathNode = node.field("path");
        String path = pathNode.isAbsent() ? null : pathNode.path("expected a file path");
        Node sampleNode = node.field("sample");
        Double sample = sampleNode.isAbsent() ? Double.valueOf(1.0) : sampleNode.number(0.0, 1.0);
        if (path != null && !Boolean.FALSE.equals(enabled)) {
            // Checked whatever else is wrong here: one round of edits fixes everything.
            errors.addLocated(checks.accessLog(pathNode.location(), path));
        }
        if (enabled == null || (!pathNode.isAbsent() && path == null) || sample == null) {
            return null;
        }
        return new AccessLogSpec(enabled, path, sample);
    }

    private static LimitsSpec limits(Node node) {
        LimitsSpec d = LimitsSpec.DEFAULTS;
        if (node.isAbsent()) {
            return d;
        }
        if (!node.expectMap("requestTarget", "requestHeaders", "requestBody", "mediaUploadBody",
                "connectionsPerListener", "connectionsPerClient", "rateLimitAddresses")) {
            return null;
        }
        Long target = node.field("requestTarget").sizeOr(256, 1 << 20, d.requestTarget());
        Long headers = node.field("requestHeaders").sizeOr(1024, 1 << 20, d.requestHeaders());
        Long body = node.field("requestBody").sizeOr(0, 1L << 40, d.requestBody());
        Long media = node.field("mediaUploadBody").sizeOr(0, 1L << 40, d.mediaUploadBody());
        Integer perListener = node.field("connectionsPerListener").integerOr(1, 1_000_000, d.connectionsPerListener());
        Integer perClient = node.field("connectionsPerClient").integerOr(0, 1_000_000, d.connectionsPerClient());
        Integer rateLimitAddresses = node.field("rateLimitAddresses").integerOr(1, 10_000_000, d.rateLimitAddresses());
        if (target == null || headers == null || body == null || media == null || perListener == null || perClient == null
                || rateLimitAddresses == null) {
            return null;
        }
        return new LimitsSpec(target.intValue(), headers.intValue(), body, media, perListener, perClient, rateLimitAddresses);
    }

    private static ClientAddressSpec clientAddress(Node node) {
        if (node.isAbsent()) {
            return ClientAddressSpec.DEFAULTS;
        }
        if (!node.expectMap("trustedProxies")) {
            return null;
        }
        Node list = node.field("trustedProxies");
        if (list.isAbsent()) {
            return ClientAddressSpec.DEFAULTS;
        }
        List<Cidr> trusted = list.cidrs();
        return trusted == null ? null : new ClientAddressSpec(trusted);
    }

    private static UserLookupSpec userLookup(Node node) {
        UserLookupSpec defaults = UserLookupSpec.DEFAULTS;
        if (node.isAbsent()) {
            return defaults;
        }
        if (!node.expectMap("enabled", "cacheSize", "expireAfter", "timeout")) {
            return null;
        }
        Node enabledNode = node.field("enabled");
        Boolean enabled = enabledNode.isAbsent() ? Boolean.TRUE : enabledNode.bool();
        Integer cacheSize = node.field("cacheSize").integerOr(1, 10_000_000, defaults.cacheSize());
        Duration expireAfter = node.field("expireAfter").durationOr(defaults.expireAfter());
        Duration timeout = node.field("timeout").durationOr(defaults.timeout());
        if (enabled == null || cacheSize == null || expireAfter == null || timeout == null) {
            return null;
        }
        return new UserLookupSpec(enabled, cacheSize, expireAfter, timeout);
    }

    private UpstreamPoolSpec upstreamPool(Node node) {
        UpstreamPoolSpec defaults = UpstreamPoolSpec.DEFAULTS;
        if (node.isAbsent()) {
            return defaults;
        }
        if (!node.expectMap("maxIdlePerEndpoint", "idleTimeout")) {
            return null;
        }
        Integer maxIdle = node.field("maxIdlePerEndpoint").integerOr(0, 10_000, defaults.maxIdlePerEndpoint());
        Duration idleTimeout = node.field("idleTimeout").durationOr(defaults.idleTimeout());
        return maxIdle == null ? null : new UpstreamPoolSpec(maxIdle, idleTimeout);
    }

    private RuntimeSpec runtime(Node node) {
        if (node.isAbsent()) {
            return RuntimeSpec.DEFAULTS;
        }
        if (!node.expectMap("eventLoopThreads")) {
            return null;
        }
        Integer threads = node.field("eventLoopThreads").integerOr(0, 1024, RuntimeSpec.DEFAULTS.eventLoopThreads());
        return threads == null ? null : new RuntimeSpec(threads);
    }

    private static String name(Node node) {
        String name = node.string(NAME_EXPECTED);
        if (name != null && !isName(name)) {
            node.fail(NAME_EXPECTED);
            return null;
        }
        return name;
    }

    /** Names end up in metric tags and log lines, so they stay plain. */
    static boolean isName(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
