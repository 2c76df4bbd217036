package org.dmaemu.node.cluster;

import static org.dmaemu.node.cluster.ClusterTesting.deployDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * DESIGN §9: the manifests in deploy/kubernetes give cluster bootstrap what it needs, checked against
 * the settings the node itself derives from the environment the manifests set.
 */
class KubernetesManifestsTest {

  private static final Map<String, List<Map<String, Object>>> BY_KIND = new HashMap<>();

  @BeforeAll
  static void parse() throws IOException {
    Path dir = deployDir().resolve("kubernetes");
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no manifests in " + dir);
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    for (Path file : files) {
      try (Reader in = Files.newBufferedReader(file)) {
        for (Object document : yaml.loadAll(in)) {
          if (document == null) {
            continue;
          }
          Map<String, Object> object = map(document);
          assertNull(map(object.get("metadata")).get("namespace"), file + ": manifests name no namespace");
          BY_KIND.computeIfAbsent((String) object.get("kind"), k -> new ArrayList<>()).add(object);
        }
      }
    }
  }

  @Test
  @DisplayName("one of each: ServiceAccount, Role, RoleBinding, Service, Deployment")
  void kinds() {
    for (String kind : List.of("ServiceAccount", "Role", "RoleBinding", "Service", "Deployment")) {
      assertEquals(1, BY_KIND.getOrDefault(kind, List.of()).size(), kind);
    }
  }

  @Test
  @DisplayName("the Deployment's selector matches its pod labels, and bootstrap's label selector is those labels")
  void labels() {
    Map<String, Object> deployment = one("Deployment");
    Map<String, Object> spec = map(deployment.get("spec"));
    Map<String, Object> podLabels = map(map(map(spec.get("template")).get("metadata")).get("labels"));
    Map<String, Object> selector = map(map(spec.get("selector")).get("matchLabels"));
    assertEquals(selector, podLabels);
    assertEquals(selector(NodeConfig.KUBERNETES_POD_LABEL_SELECTOR), podLabels);
    assertEquals(
        NodeConfig.KUBERNETES_POD_LABEL_SELECTOR, nodeConfig().getString("akka.discovery.kubernetes-api.pod-label-selector"));
    // The Service selects the same pods.
    assertEquals(podLabels, map(map(one("Service").get("spec")).get("selector")));
  }

  @Test
  @DisplayName("container ports remoting 25520 and management 8558 match the node's settings and bootstrap's port name")
  void ports() {
    Map<String, Object> container = container();
    Map<String, Integer> ports = new HashMap<>();
    for (Object p : list(container.get("ports"))) {
      ports.put((String) map(p).get("name"), (Integer) map(p).get("containerPort"));
    }
    assertEquals(Map.of("remoting", 25520, "management", 8558), ports);
    NodeConfig node = NodeConfig.fromEnvironment(env());
    assertEquals(25520, node.port());
    assertEquals(8558, node.managementPort());
    assertEquals("management", nodeConfig().getString("akka.management.cluster.bootstrap.contact-point-discovery.port-name"));
    assertEquals(8558, nodeConfig().getInt("akka.management.http.port"));

    Map<String, Object> service = map(one("Service").get("spec"));
    assertEquals("None", service.get("clusterIP"), "a headless service");
    Set<String> servicePorts = list(service.get("ports")).stream().map(p -> (String) map(p).get("name")).collect(Collectors.toSet());
    assertEquals(Set.of("remoting", "management"), servicePorts);
  }

  @Test
  @DisplayName("readiness /ready and liveness /alive on the management port, as akka-management serves them")
  void probes() {
    Map<String, Object> container = container();
    Map<String, Object> ready = map(map(container.get("readinessProbe")).get("httpGet"));
    Map<String, Object> alive = map(map(container.get("livenessProbe")).get("httpGet"));
    Config c = nodeConfig();
    assertEquals("/" + c.getString("akka.management.health-checks.readiness-path"), ready.get("path"));
    assertEquals("/" + c.getString("akka.management.health-checks.liveness-path"), alive.get("path"));
    assertEquals("management", ready.get("port"));
    assertEquals("management", alive.get("port"));
  }

  @Test
  @DisplayName("RBAC: the pods' service account may get, watch and list pods")
  void rbac() {
    Map<String, Object> podSpec = map(map(map(one("Deployment").get("spec")).get("template")).get("spec"));
    String account = (String) podSpec.get("serviceAccountName");
    assertEquals(name(one("ServiceAccount")), account);

    Map<String, Object> binding = one("RoleBinding");
    Map<String, Object> roleRef = map(binding.get("roleRef"));
    assertEquals("Role", roleRef.get("kind"));
    assertEquals(name(one("Role")), roleRef.get("name"));
    List<Object> subjects = list(binding.get("subjects"));
    assertEquals(1, subjects.size());
    assertEquals("ServiceAccount", map(subjects.get(0)).get("kind"));
    assertEquals(account, map(subjects.get(0)).get("name"));

    boolean readsPods = false;
    for (Object r : list(one("Role").get("rules"))) {
      Map<String, Object> rule = map(r);
      if (list(rule.get("apiGroups")).contains("") && list(rule.get("resources")).contains("pods")) {
        readsPods = list(rule.get("verbs")).containsAll(List.of("get", "watch", "list"));
      }
    }
    assertTrue(readsPods, "the Role grants get, watch, list on pods in the core API group");
  }

  @Test
  @DisplayName("env: kubernetes discovery, the pod IP as host, contact points = replicas; every DMAEMU_ variable is one the node reads")
  void environment() {
    Map<String, Object> container = container();
    Map<String, String> fieldRefs = new HashMap<>();
    for (Object e : list(container.get("env"))) {
      Map<String, Object> var = map(e);
      if (var.get("valueFrom") != null) {
        fieldRefs.put((String) var.get("name"), (String) map(map(var.get("valueFrom")).get("fieldRef")).get("fieldPath"));
      }
    }
    assertEquals("status.podIP", fieldRefs.get("DMAEMU_HOST"));
    Map<String, String> env = env();
    assertEquals("kubernetes", env.get("DMAEMU_DISCOVERY"));
    Set<String> known = Stream.of(NodeConfig.Setting.values()).map(NodeConfig.Setting::variable).collect(Collectors.toSet());
    for (String name : env.keySet()) {
      assertTrue(!name.startsWith("DMAEMU_") || known.contains(name), name + " is not read by the node");
    }
    assertTrue(fieldRefs.keySet().stream().allMatch(n -> !n.startsWith("DMAEMU_") || known.contains(n)));

    int replicas = (Integer) map(one("Deployment").get("spec")).get("replicas");
    NodeConfig node = NodeConfig.fromEnvironment(env);
    assertEquals(NodeConfig.Discovery.KUBERNETES, node.discovery());
    assertEquals(replicas, node.requiredContactPoints());
    assertEquals(replicas, nodeConfig().getInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
    assertEquals(List.of(), nodeConfig().getStringList("akka.cluster.seed-nodes"));
  }

  /** The container's literal env values, with the pod IP stood in by an address. */
  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    for (Object e : list(container().get("env"))) {
      Map<String, Object> var = map(e);
      Object value = var.get("value");
      env.put((String) var.get("name"), value != null ? value.toString() : "10.0.0.1");
    }
    return env;
  }

  private static Config nodeConfig() {
    return NodeConfig.fromEnvironment(env()).resolve(ConfigFactory.load(), false);
  }

  private static Map<String, Object> container() {
    Map<String, Object> podSpec = map(map(map(one("Deployment").get("spec")).get("template")).get("spec"));
    List<Object> containers = list(podSpec.get("containers"));
    assertEquals(1, containers.size());
    return map(containers.get(0));
  }

  private static Map<String, Object> selector(String labelSelector) {
    Map<String, Object> labels = new HashMap<>();
    for (String term : labelSelector.split(",")) {
      String[] kv = term.split("=", 2);
      labels.put(kv[0].strip(), kv[1].strip());
    }
    return labels;
  }

  private static Map<String, Object> one(String kind) {
    List<Map<String, Object>> objects = BY_KIND.get(kind);
    assertNotNull(objects, "no " + kind);
    assertEquals(1, objects.size(), kind);
    return objects.get(0);
  }

  private static String name(Map<String, Object> object) {
    return (String) map(object.get("metadata")).get("name");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertTrue(o instanceof Map, "expected a mapping, got " + o);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertTrue(o instanceof List, "expected a sequence, got " + o);
    return (List<Object>) o;
  }
}
