package org.switchboard.systemtest.support.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * NetworkPolicy semantics over one tier's policies: a connection is allowed when the source's egress and the
 * destination's ingress both admit it (a side no policy of that type selects is open). An {@code ipBlock} peer
 * stands for anything outside the pod network: clients, and host-network pods.
 */
public final class NetworkPolicies {
    private final List<KubeObject> policies;

    public NetworkPolicies(RenderedTier tier) {
        this.policies = tier.ofKind("NetworkPolicy");
    }

    /** A client outside the cluster. */
    public static PodShape outside() {
        return new PodShape("outside", "", Map.of(), Map.of(), true);
    }

    /** A pod the manifests do not render (Prometheus, kube-dns, an operator). */
    public static PodShape external(String namespace, Map<String, String> labels, Map<String, Integer> ports) {
        return new PodShape(namespace + "/" + labels, namespace, labels, ports, false);
    }

    public boolean allowed(PodShape from, PodShape to, int port, String protocol) {
        return admits(to, from, port, protocol, "Ingress") && admits(from, to, port, protocol, "Egress");
    }

    private boolean admits(PodShape subject, PodShape peer, int port, String protocol, String type) {
        if (subject.namespace().isEmpty() || subject.hostNetwork()) {
            return true;          // outside the pod network: no NetworkPolicy applies
        }
        boolean isolated = false;
        for (KubeObject policy : policies) {
            if (!policy.namespace().equals(subject.namespace()) || !subject.selectedBy(policy.spec().path("podSelector"))) {
                continue;
            }
            if (!types(policy).contains(type)) {
                continue;
            }
            isolated = true;
            for (JsonNode rule : policy.spec().path(type.equals("Ingress") ? "ingress" : "egress")) {
                JsonNode peers = rule.path(type.equals("Ingress") ? "from" : "to");
                boolean peerOk = peers.isMissingNode() || peers.isEmpty();
                for (JsonNode p : peers) {
                    peerOk |= matches(p, policy.namespace(), peer);
                }
                if (peerOk && portMatches(rule.path("ports"), type.equals("Ingress") ? subject : peer, port, protocol)) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    private static List<String> types(KubeObject policy) {
        JsonNode types = policy.spec().path("policyTypes");
        if (types.isMissingNode()) {
            return policy.spec().has("egress") ? List.of("Ingress", "Egress") : List.of("Ingress");
        }
        List<String> out = new ArrayList<>();
        types.forEach(t -> out.add(t.asText()));
        return out;
    }

    private static boolean matches(JsonNode peer, String policyNamespace, PodShape pod) {
        if (peer.has("ipBlock")) {
            return pod.namespace().isEmpty() || pod.hostNetwork();
        }
        if (pod.namespace().isEmpty() || pod.hostNetwork()) {
            return false;
        }
        boolean namespaceOk = peer.has("namespaceSelector")
                ? KubeObject.selects(peer.path("namespaceSelector"), Map.of("kubernetes.io/metadata.name", pod.namespace()))
                : pod.namespace().equals(policyNamespace);
        boolean podOk = !peer.has("podSelector") || pod.selectedBy(peer.path("podSelector"));
        return namespaceOk && podOk;
    }

    /** {@code owner} is the pod whose port names a named rule port refers to (the destination). */
    private static boolean portMatches(JsonNode ports, PodShape owner, int port, String protocol) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            boolean protocolOk = p.path("protocol").asText("TCP").equals(protocol);
            JsonNode value = p.path("port");
            boolean portOk = value.isMissingNode()
                    || (value.isInt() ? value.asInt() == port : owner.ports().getOrDefault(value.asText(), -1) == port);
            if (protocolOk && portOk) {
                return true;
            }
        }
        return false;
    }
}
