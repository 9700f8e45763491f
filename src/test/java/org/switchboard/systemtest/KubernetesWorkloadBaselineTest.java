package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.RenderedStackExtension;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;

/**
 * The security and resource baseline of K8S.md §8, for every container of every workload (Jobs too): requests and a
 * memory limit, probes (not in Jobs), non-root, no privilege escalation, all capabilities dropped, a read-only root
 * filesystem, RuntimeDefault seccomp; no privileged, hostPID, hostIPC or hostPath, and the host network only for the
 * WebRTC servers, which need their UDP ports on the node's own address.
 */
@ExtendWith(RenderedStackExtension.class)
class KubernetesWorkloadBaselineTest {
    private static final Set<String> HOST_NETWORK = Set.of("DaemonSet matrix/coturn", "DaemonSet livekit/livekit");

    @Test
    void everyContainerMeetsTheBaseline(Stack stack) {
        List<String> problems = new ArrayList<>();
        for (RenderedTier tier : stack.tiers()) {
            for (KubeObject workload : tier.workloads()) {
                check(workload, problems);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theBaselineCheckCatchesAMissingLimitAndAnUnexpectedHostNetwork(Stack stack) {
        KubeObject switchboard = stack.tier("1k").get("Deployment", "matrix", "switchboard");
        com.fasterxml.jackson.databind.node.ObjectNode broken = switchboard.node().deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode pod = (com.fasterxml.jackson.databind.node.ObjectNode) broken.path("spec").path("template").path("spec");
        pod.put("hostNetwork", true);
        ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("containers").path(0).path("resources")).remove("limits");
        List<String> problems = new ArrayList<>();
        check(new KubeObject(broken), problems);
        assertEquals(2, problems.size(), problems.toString());
    }

    private static void check(KubeObject workload, List<String> problems) {
        JsonNode pod = workload.podSpec();
        boolean job = workload.kind().equals("CronJob") || workload.kind().equals("Job");
        String id = workload.id();
        if (pod.path("hostNetwork").asBoolean() && !HOST_NETWORK.contains(id)) {
            problems.add(id + ": hostNetwork is only for coturn and LiveKit");
        }
        if (pod.path("hostPID").asBoolean() || pod.path("hostIPC").asBoolean()) {
            problems.add(id + ": hostPID/hostIPC");
        }
        pod.path("volumes").forEach(v -> {
            if (v.has("hostPath")) {
                problems.add(id + ": hostPath volume " + v.path("name").asText());
            }
        });
        JsonNode podSecurity = pod.path("securityContext");
        if (!"RuntimeDefault".equals(podSecurity.path("seccompProfile").path("type").asText())) {
            problems.add(id + ": pod seccompProfile is not RuntimeDefault");
        }
        if (pod.path("automountServiceAccountToken").asBoolean(true)) {
            problems.add(id + ": mounts a service account token it does not need");
        }
        List<JsonNode> containers = new ArrayList<>();
        pod.path("containers").forEach(containers::add);
        List<JsonNode> inits = new ArrayList<>();
        pod.path("initContainers").forEach(inits::add);
        List<JsonNode> all = new ArrayList<>(inits);
        all.addAll(containers);
        for (JsonNode container : all) {
            String where = id + " container " + container.path("name").asText();
            JsonNode resources = container.path("resources");
            for (String field : List.of("requests/cpu", "requests/memory", "limits/memory")) {
                String[] path = field.split("/");
                if (resources.path(path[0]).path(path[1]).isMissingNode()) {
                    problems.add(where + ": no " + field.replace('/', '.'));
                }
            }
            if (!job && containers.contains(container)) {
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    if (container.path(probe).isMissingNode()) {
                        problems.add(where + ": no " + probe);
                    }
                }
            }
            JsonNode security = container.path("securityContext");
            boolean nonRoot = security.path("runAsNonRoot").asBoolean(podSecurity.path("runAsNonRoot").asBoolean(false));
            long uid = security.path("runAsUser").asLong(podSecurity.path("runAsUser").asLong(-1));
            if (!nonRoot || uid == 0) {
                problems.add(where + ": not runAsNonRoot with a non-zero uid");
            }
            if (security.path("allowPrivilegeEscalation").asBoolean(true)) {
                problems.add(where + ": allowPrivilegeEscalation is not false");
            }
            if (security.path("privileged").asBoolean(false)) {
                problems.add(where + ": privileged");
            }
            if (!security.path("readOnlyRootFilesystem").asBoolean(false)) {
                problems.add(where + ": root filesystem is writable");
            }
            List<String> dropped = new ArrayList<>();
            security.path("capabilities").path("drop").forEach(c -> dropped.add(c.asText()));
            if (!dropped.contains("ALL")) {
                problems.add(where + ": capabilities not all dropped");
            }
            security.path("capabilities").path("add").forEach(c -> {
                if (!c.asText().equals("NET_BIND_SERVICE") || !HOST_NETWORK.contains(id)) {
                    problems.add(where + ": adds capability " + c.asText());
                }
            });
        }
    }
}
