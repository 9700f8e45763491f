package org.switchboard.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.systemtest.support.k8s.KubeObject;
import org.switchboard.systemtest.support.k8s.RenderedStackExtension;
import org.switchboard.systemtest.support.k8s.RenderedTier;
import org.switchboard.systemtest.support.k8s.Stack;
import org.switchboard.systemtest.support.k8s.SynapseProcess;

/**
 * Synapse's topology against the pods that exist (K8S.md §4, §10.5): what {@code instance_map}, {@code stream_writers}
 * and the sender lists name are StatefulSet pods with their own DNS names and listeners, every process shares one
 * topology, and the PostgreSQL connection budget holds at every autoscaling maximum.
 */
@ExtendWith(RenderedStackExtension.class)
class KubernetesSynapseTest {
    private static final List<String> TOPOLOGY_KEYS = List.of("instance_map", "stream_writers", "federation_sender_instances",
            "pusher_instances", "media_instance_running_background_jobs", "run_background_tasks_on", "redis", "server_name",
            "worker_replication_secret_path", "send_federation", "enable_media_repo");
    private static final Pattern POD_HOST = Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local\\.?");

    @Test
    void everyProcessSharesMainsTopologyAndNamesItselfAfterItsPod(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            Map<String, SynapseProcess> processes = SynapseProcess.of(tier);
            SynapseProcess main = processes.get("synapse-main");
            assertTrue(main != null && main.isMain(), tier + ": synapse-main runs the homeserver app");
            for (SynapseProcess process : processes.values()) {
                for (String key : TOPOLOGY_KEYS) {
                    assertEquals(main.config().path(key), process.config().path(key), tier + ": " + process.name() + " sees another " + key + " than main");
                }
                if (!process.isMain()) {
                    assertTrue(process.workerNameFromPod(), tier + ": " + process.name() + " must take worker_name from its pod name (POD_NAME, last -c file)");
                    assertEquals("Parallel", process.statefulSet().spec().path("podManagementPolicy").asText(), tier + ": " + process.name());
                }
                assertEquals(process.name(), process.statefulSet().spec().path("serviceName").asText(), tier + ": " + process.name() + " serviceName");
                assertTrue(process.cpMax() > 0, tier + ": " + process.name() + " has no database.args.cp_max of its own");
            }
        }
    }

    @Test
    void instanceMapNamesPodsWithTheirOwnDnsNamesAndReplicationListeners(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            Map<String, SynapseProcess> processes = SynapseProcess.of(tier);
            JsonNode instanceMap = processes.get("synapse-main").config().path("instance_map");
            assertTrue(instanceMap.has("main"), tier + ": instance_map has no main");
            instanceMap.fields().forEachRemaining(entry -> {
                String instance = entry.getKey().equals("main") ? "synapse-main-0" : entry.getKey();
                SynapseProcess owner = owner(tier, processes, instance);
                Matcher m = POD_HOST.matcher(entry.getValue().path("host").asText());
                assertTrue(m.matches(), tier + ": instance_map." + entry.getKey() + " host is not a pod DNS name: " + entry.getValue());
                assertEquals(instance, m.group(1), tier + ": instance_map." + entry.getKey() + " points at another pod");
                KubeObject service = tier.get("Service", m.group(3), m.group(2));
                assertEquals("None", service.spec().path("clusterIP").asText(), tier + ": pod DNS names need a headless Service");
                assertEquals(owner.name(), service.name(), tier + ": " + instance + " is not under " + service.name());
                int port = entry.getValue().path("port").asInt();
                assertTrue(owner.serves(port, "replication"), tier + ": " + owner.name() + " has no replication listener on " + port);
                assertTrue(service.spec().path("ports").findValues("port").stream().anyMatch(p -> p.asInt() == port),
                        tier + ": " + service.id() + " does not expose replication port " + port);
            });
        }
    }

    @Test
    void writersAndSendersAreExactlyTheirStatefulSetsPods(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            Map<String, SynapseProcess> processes = SynapseProcess.of(tier);
            JsonNode config = processes.get("synapse-main").config();
            JsonNode instanceMap = config.path("instance_map");
            config.path("stream_writers").fields().forEachRemaining(stream -> {
                List<String> writers = names(stream.getValue());
                SynapseProcess owner = owner(tier, processes, writers.get(0));
                assertEquals(new TreeSet<>(owner.pods()), new TreeSet<>(writers), tier + ": stream " + stream.getKey() + " writers are not all of " + owner.name() + "'s pods");
                writers.forEach(w -> assertTrue(instanceMap.has(w), tier + ": writer " + w + " is not in instance_map"));
            });
            for (String list : List.of("federation_sender_instances", "pusher_instances")) {
                if (config.has(list)) {
                    List<String> pods = names(config.path(list));
                    SynapseProcess owner = owner(tier, processes, pods.get(0));
                    assertEquals(new TreeSet<>(owner.pods()), new TreeSet<>(pods), tier + ": " + list + " are not all of " + owner.name() + "'s pods");
                }
            }
            for (String single : List.of("media_instance_running_background_jobs", "run_background_tasks_on")) {
                if (config.has(single)) {
                    owner(tier, processes, config.path(single).asText());
                }
            }
            assertTrue(config.path("stream_writers").has("events"), tier + ": no event persisters");
        }
    }

    @Test
    void redisAndDatabaseHostsResolveAndTheDatabaseIsThePooler(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            for (SynapseProcess process : SynapseProcess.of(tier).values()) {
                JsonNode redis = process.config().path("redis");
                assertTrue(redis.path("enabled").asBoolean(), tier + ": Redis is required with workers");
                KubeObject redisService = service(tier, redis.path("host").asText());
                assertTrue(redisService.spec().path("ports").findValues("port").stream().anyMatch(p -> p.asInt() == redis.path("port").asInt(6379)),
                        tier + ": " + redisService.id() + " does not expose the Redis port");
                JsonNode args = process.config().path("database").path("args");
                KubeObject db = service(tier, args.path("host").asText());
                tier.get("Pooler", db.namespace(), db.name());
                assertEquals(5432, args.path("port").asInt(5432));
            }
        }
    }

    /** The Pooler's Service is made by CloudNativePG under the Pooler's name; other hosts must be rendered Services. */
    private static KubeObject service(RenderedTier tier, String host) {
        Matcher m = Pattern.compile("([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local\\.?").matcher(host);
        assertTrue(m.matches(), tier + ": " + host + " is not a Service DNS name");
        var pooler = tier.find("Pooler", m.group(2), m.group(1));
        if (pooler.isPresent()) {
            return pooler.get();
        }
        return tier.get("Service", m.group(2), m.group(1));
    }

    /**
     * Session pooling cannot multiplex (Synapse holds its connections), so: every process at its largest count times
     * its cp_max fits the Pooler's server pools, the Pooler accepts that many clients, and PostgreSQL has room for the
     * pools plus 50 for superusers, replication and the operator.
     */
    @Test
    void theConnectionBudgetHoldsAtEveryAutoscalingMaximum(Stack stack) {
        for (RenderedTier tier : stack.tiers()) {
            long demand = 0;
            for (SynapseProcess process : SynapseProcess.of(tier).values()) {
                demand += (long) process.cpMax() * maxReplicas(tier, process.statefulSet());
            }
            KubeObject pooler = tier.get("Pooler", "matrix", "synapse-postgres-pooler-rw");
            assertEquals("session", pooler.spec().path("pgbouncer").path("poolMode").asText(), tier + ": Synapse needs session pooling");
            long pools = pooler.spec().path("instances").asLong() * pooler.spec().path("pgbouncer").path("parameters").path("default_pool_size").asLong();
            long clients = pooler.spec().path("pgbouncer").path("parameters").path("max_client_conn").asLong();
            long maxConnections = tier.get("Cluster", "matrix", "synapse-postgres").spec().path("postgresql").path("parameters").path("max_connections").asLong();
            assertTrue(demand <= pools, tier + ": Synapse may open " + demand + " connections, the Pooler's pools hold " + pools);
            assertTrue(clients >= demand, tier + ": max_client_conn " + clients + " < " + demand);
            assertTrue(maxConnections >= pools + 50, tier + ": max_connections " + maxConnections + " < pools " + pools + " + 50");
        }
    }

    /** K8S.md §2: replicas and autoscaling bounds per tier. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "1k,  synapse-main, 1, 1, 1",              "10k, synapse-main, 1, 1, 1",              "20k, synapse-main, 1, 1, 1",
        "1k,  synapse-synchrotron, 2, 2, 4",       "10k, synapse-synchrotron, 8, 8, 12",      "20k, synapse-synchrotron, 12, 12, 16",
        "1k,  synapse-generic, 2, 2, 4",           "10k, synapse-generic, 4, 4, 12",          "20k, synapse-generic, 8, 8, 16",
        "1k,  synapse-media, 2, 2, 2",             "10k, synapse-media, 2, 2, 6",             "20k, synapse-media, 4, 4, 8",
        "1k,  synapse-event-persister, 2, 2, 2",   "10k, synapse-event-persister, 2, 2, 2",   "20k, synapse-event-persister, 3, 3, 3",
        "1k,  synapse-federation-sender, 1, 1, 1", "10k, synapse-federation-sender, 2, 2, 2", "20k, synapse-federation-sender, 3, 3, 3",
        "10k, synapse-background, 1, 1, 1",        "20k, synapse-background, 1, 1, 1",        "20k, synapse-typing, 1, 1, 1",
        "20k, synapse-push-rules, 1, 1, 1",
    })
    void replicasAndAutoscalingPerTier(String tierName, String statefulSet, int replicas, int min, int max, Stack stack) {
        RenderedTier tier = stack.tier(tierName);
        KubeObject sts = tier.get("StatefulSet", "matrix", statefulSet);
        assertEquals(replicas, sts.replicas(), tierName + " " + statefulSet + " replicas");
        var hpa = hpaOf(tier, sts);
        assertEquals(min, hpa.map(h -> h.spec().path("minReplicas").asInt()).orElse(replicas));
        assertEquals(max, hpa.map(h -> h.spec().path("maxReplicas").asInt()).orElse(replicas));
        JsonNode main = SynapseProcess.of(tier).get("synapse-main").config();
        String fixed = main.path("instance_map").toString() + main.path("stream_writers") + main.path("federation_sender_instances") + main.path("pusher_instances");
        assertFalse(hpa.isPresent() && fixed.contains("\"" + statefulSet + "-0\""),
                tierName + ": " + statefulSet + " is part of the topology (a change is a full restart), so it must never be autoscaled");
    }

    private static Optional<KubeObject> hpaOf(RenderedTier tier, KubeObject workload) {
        return tier.ofKind("HorizontalPodAutoscaler").stream()
                .filter(h -> h.namespace().equals(workload.namespace())
                        && h.spec().path("scaleTargetRef").path("kind").asText().equals(workload.kind())
                        && h.spec().path("scaleTargetRef").path("name").asText().equals(workload.name()))
                .findFirst();
    }

    static int maxReplicas(RenderedTier tier, KubeObject workload) {
        return hpaOf(tier, workload).map(h -> h.spec().path("maxReplicas").asInt()).orElse(workload.replicas());
    }

    private static SynapseProcess owner(RenderedTier tier, Map<String, SynapseProcess> processes, String pod) {
        return processes.values().stream().filter(p -> p.pods().contains(pod)).findFirst()
                .orElseGet(() -> fail(tier + ": " + pod + " is not a pod of any Synapse StatefulSet"));
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }
}
