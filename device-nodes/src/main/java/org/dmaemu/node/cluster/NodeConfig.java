package org.dmaemu.node.cluster;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * How one dmaemu node joins its cluster (DESIGN §9): its address, how it finds the others, its roles,
 * TLS and akka-management. Built from flags and environment variables ({@link #from}); {@link
 * #toConfig} turns it into the Akka settings that are laid over {@code ConfigFactory.load()}.
 *
 * <p>Every node of one cluster must use the same downing settings; they are fixed here rather than
 * taken from each node's environment for that reason.
 *
 * @param host the address other nodes reach this node at (Artery's canonical hostname)
 * @param bindHost the interface remoting (and management) listen on; the host unless told otherwise
 * @param port the remoting port
 * @param seedNodes {@code host:port} of the seed nodes; with config discovery and none given, the node
 *     is its own seed and forms a new cluster
 * @param roles cluster roles of this node
 * @param tlsDir a directory with the files of {@link Tls}, or null for plain TCP
 * @param managementPort akka-management's HTTP port (health checks, bootstrap), 0 for none
 * @param discovery how the node finds the others
 * @param requiredContactPoints kubernetes only: contact points bootstrap waits for before it forms a
 *     cluster (the Deployment's replicas)
 * @param joinTimeout a node that has not joined after this long shuts down (and the command exits 1)
 */
public record NodeConfig(
    String host,
    String bindHost,
    int port,
    List<String> seedNodes,
    List<String> roles,
    Path tlsDir,
    int managementPort,
    Discovery discovery,
    int requiredContactPoints,
    Duration joinTimeout) {

  /** The ActorSystem name every node uses; seed-node addresses are {@code akka://dmaemu@host:port}. */
  public static final String SYSTEM_NAME = "dmaemu";

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 25520;
  public static final int DEFAULT_KUBERNETES_MANAGEMENT_PORT = 8558;
  public static final List<String> DEFAULT_ROLES = List.of(Hosting.ROLE);
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Kubernetes: bootstrap looks for pods with this label through the API server; the Deployment's pod
   * template must carry it (deploy/kubernetes/dmaemu.yaml).
   */
  public static final String KUBERNETES_POD_LABEL_SELECTOR = "app=dmaemu";

  /** Kubernetes: the name of the container port bootstrap probes (akka-management's HTTP port). */
  public static final String KUBERNETES_MANAGEMENT_PORT_NAME = "management";

  /**
   * Split Brain Resolver {@code stable-after}: Akka's recommended minimum for clusters of up to 5
   * nodes (split-brain-resolver.md: 5 nodes 7 s, 10 nodes 10 s; the 20 s default is sized for 100
   * nodes). Shorter would risk acting before the membership has spread; longer only delays failover.
   * Also the down-removal margin, so a crashed node's shards move after about 5 + 7 + 7 s.
   */
  public static final Duration SBR_STABLE_AFTER = Duration.ofSeconds(7);

  /** The setting names: each one a flag of {@code dmaemu node} and an environment variable. */
  public enum Setting {
    HOST("--host", "DMAEMU_HOST"),
    BIND_HOST("--bind-host", "DMAEMU_BIND_HOST"),
    PORT("--port", "DMAEMU_PORT"),
    SEED_NODES("--seed-nodes", "DMAEMU_SEED_NODES"),
    ROLES("--roles", "DMAEMU_ROLES"),
    TLS_DIR("--tls-dir", "DMAEMU_TLS_DIR"),
    MANAGEMENT_PORT("--management-port", "DMAEMU_MANAGEMENT_PORT"),
    DISCOVERY("--discovery", "DMAEMU_DISCOVERY"),
    REQUIRED_CONTACT_POINTS("--required-contact-points", "DMAEMU_REQUIRED_CONTACT_POINTS"),
    JOIN_TIMEOUT("--join-timeout", "DMAEMU_JOIN_TIMEOUT");

    private final String flag;
    private final String variable;

    Setting(String flag, String variable) {
      this.flag = flag;
      this.variable = variable;
    }

    public String flag() {
      return flag;
    }

    public String variable() {
      return variable;
    }
  }

  /** How a node finds the other nodes. */
  public enum Discovery {
    /** Static seed nodes ({@code --seed-nodes}). */
    CONFIG,
    /** akka-management cluster bootstrap, contact points found through the Kubernetes API. */
    KUBERNETES;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The files {@code --tls-dir} must hold (deploy/tls/make-certs.sh writes them): this node's key and
   * certificate, the CA it trusts, and the two passwords (one line each). The key's password is the
   * key store's, as in any PKCS12 store that keytool or openssl writes.
   */
  public static final class Tls {
    public static final String KEY_STORE = "keystore.p12";
    public static final String KEY_STORE_PASSWORD = "keystore.password";
    public static final String TRUST_STORE = "truststore.p12";
    public static final String TRUST_STORE_PASSWORD = "truststore.password";
    public static final List<String> FILES = List.of(KEY_STORE, KEY_STORE_PASSWORD, TRUST_STORE, TRUST_STORE_PASSWORD);

    private Tls() {}
  }

  /** A setting has a value the node cannot use; the message names the flag or variable it came from. */
  public static final class InvalidSetting extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSetting(String message) {
      super(message);
    }
  }

  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern DURATION = Pattern.compile("[0-9]+(\\.[0-9]+)?\\s*[a-z]+");

  public NodeConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(bindHost, "bindHost");
    Objects.requireNonNull(discovery, "discovery");
    Objects.requireNonNull(joinTimeout, "joinTimeout");
    seedNodes = List.copyOf(seedNodes);
    roles = List.copyOf(roles);
  }

  /** The settings from environment variables alone (no flags). */
  public static NodeConfig fromEnvironment(Map<String, String> env) {
    return from(Map.of(), env);
  }

  /**
   * The settings from flags, then environment variables, then defaults. {@code flags} maps a {@link
   * Setting} to the text given on the command line; blank environment variables count as unset.
   *
   * @throws InvalidSetting naming the flag or variable whose value is wrong
   */
  public static NodeConfig from(Map<Setting, String> flags, Map<String, String> env) {
    Sources in = new Sources(flags, env);
    Discovery discovery = in.discovery();
    String host = in.text(Setting.HOST, DEFAULT_HOST);
    String bindHost = in.text(Setting.BIND_HOST, host);
    int port = in.port(Setting.PORT, DEFAULT_PORT, false);
    List<String> roles = in.roles();
    Path tlsDir = in.tlsDir();
    Duration joinTimeout = in.duration(Setting.JOIN_TIMEOUT, DEFAULT_JOIN_TIMEOUT);
    List<String> seeds = in.seedNodes();
    int managementPort;
    int contactPoints;
    if (discovery == Discovery.KUBERNETES) {
      if (!seeds.isEmpty()) {
        throw in.invalid(Setting.SEED_NODES, "cannot be used with discovery kubernetes (bootstrap finds the nodes)");
      }
      managementPort = in.port(Setting.MANAGEMENT_PORT, DEFAULT_KUBERNETES_MANAGEMENT_PORT, false);
      contactPoints = in.positive(Setting.REQUIRED_CONTACT_POINTS, 1);
    } else {
      if (in.given(Setting.REQUIRED_CONTACT_POINTS)) {
        throw in.invalid(Setting.REQUIRED_CONTACT_POINTS, "applies to discovery kubernetes only");
      }
      managementPort = in.port(Setting.MANAGEMENT_PORT, 0, true);
      contactPoints = 0;
      if (seeds.isEmpty()) {
        seeds = List.of(host + ":" + port);
      }
    }
    return new NodeConfig(host, bindHost, port, seeds, roles, tlsDir, managementPort, discovery, contactPoints, joinTimeout);
  }

  /** This node's own address, as other nodes and seed-node lists name it. */
  public String selfAddress() {
    return address(host + ":" + port);
  }

  /** The seed nodes as Akka addresses. */
  public List<String> seedAddresses() {
    return seedNodes.stream().map(NodeConfig::address).toList();
  }

  private static String address(String hostPort) {
    return "akka://" + SYSTEM_NAME + "@" + hostPort;
  }

  /**
   * The Akka settings of this node, to lay over the application's configuration.
   *
   * @param exitJvm on for the command-line node: a node that was downed or could not join exits the
   *     process (with code 1) instead of lingering without an ActorSystem; off in tests and embedders
   */
  public Config toConfig(boolean exitJvm) {
    Map<String, Object> c = new HashMap<>();
    c.put("akka.actor.provider", "cluster");

    c.put("akka.remote.artery.canonical.hostname", host);
    c.put("akka.remote.artery.canonical.port", port);
    c.put("akka.remote.artery.bind.hostname", bindHost);

    c.put("akka.cluster.roles", roles);
    c.put("akka.cluster.seed-nodes", discovery == Discovery.CONFIG ? seedAddresses() : List.of());
    c.put("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes", millis(joinTimeout));

    c.put("akka.cluster.downing-provider-class", "akka.cluster.sbr.SplitBrainResolverProvider");
    c.put("akka.cluster.split-brain-resolver.active-strategy", "keep-majority");
    c.put("akka.cluster.split-brain-resolver.stable-after", millis(SBR_STABLE_AFTER));
    c.put("akka.cluster.run-coordinated-shutdown-when-down", "on");

    // SIGTERM leaves the cluster gracefully through Akka's JVM shutdown hook (the node command also
    // handles the signal itself to exit 0); exit codes: 1 for a node that was downed or never joined.
    c.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "on");
    c.put("akka.coordinated-shutdown.exit-jvm", exitJvm ? "on" : "off");
    for (String reason :
        List.of(
            "akka.actor.CoordinatedShutdown$ClusterDowningReason$",
            "akka.actor.CoordinatedShutdown$ClusterJoinUnsuccessfulReason$",
            NodeShutdown.StartFailed.class.getName())) {
      c.put("akka.coordinated-shutdown.reason-overrides.\"" + reason + "\".exit-code", NodeShutdown.FAILED);
    }

    if (tlsDir != null) {
      String engine = "akka.remote.artery.ssl.config-ssl-engine.";
      c.put("akka.remote.artery.transport", "tls-tcp");
      c.put(engine + "key-store", tlsDir.resolve(Tls.KEY_STORE).toString());
      c.put(engine + "key-store-password", readPassword(Tls.KEY_STORE_PASSWORD));
      c.put(engine + "key-password", readPassword(Tls.KEY_STORE_PASSWORD));
      c.put(engine + "trust-store", tlsDir.resolve(Tls.TRUST_STORE).toString());
      c.put(engine + "trust-store-password", readPassword(Tls.TRUST_STORE_PASSWORD));
      c.put(engine + "require-mutual-authentication", "on");
      // Certificates name nodes, not addresses (pod IPs change); trust comes from the private CA.
      c.put(engine + "hostname-verification", "off");
      c.put(engine + "protocol", "TLSv1.2");
      c.put(engine + "enabled-algorithms", List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
    }

    if (managementPort > 0) {
      c.put("akka.management.http.hostname", host);
      c.put("akka.management.http.port", managementPort);
      c.put("akka.management.http.bind-hostname", bindHost);
    }
    if (discovery == Discovery.KUBERNETES) {
      String bootstrap = "akka.management.cluster.bootstrap.contact-point-discovery.";
      c.put(bootstrap + "discovery-method", "kubernetes-api");
      c.put(bootstrap + "service-name", SYSTEM_NAME);
      c.put(bootstrap + "port-name", KUBERNETES_MANAGEMENT_PORT_NAME);
      c.put(bootstrap + "required-contact-point-nr", requiredContactPoints);
      c.put("akka.discovery.kubernetes-api.pod-label-selector", KUBERNETES_POD_LABEL_SELECTOR);
    }
    return ConfigFactory.parseMap(c, "dmaemu node settings");
  }

  /**
   * The node's full configuration: system properties ({@code -Dakka...}) first, so an operator can
   * still change any Akka setting, then {@link #toConfig}, then {@code base} (usually {@code
   * ConfigFactory.load()}).
   */
  public Config resolve(Config base, boolean exitJvm) {
    return ConfigFactory.defaultOverrides().withFallback(toConfig(exitJvm)).withFallback(base).resolve();
  }

  /**
   * Starts akka-management's HTTP endpoint (health checks {@code /ready}, {@code /alive}, read-only
   * {@code /cluster/members}) when this node has a management port, and cluster bootstrap when it
   * uses Kubernetes discovery. Completes when the endpoint is bound; at once when there is none.
   */
  public CompletionStage<Done> startManagement(ActorSystem<?> system) {
    if (managementPort == 0) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletionStage<Done> bound = AkkaManagement.get(system).start().thenApply(uri -> Done.getInstance());
    if (discovery == Discovery.KUBERNETES) {
      // Bootstrap answers other nodes' probes through the management endpoint started above.
      ClusterBootstrap.get(system).start();
    }
    return bound;
  }

  /** A one-line description for logs and errors, without secrets. */
  public String describe() {
    String how =
        discovery == Discovery.KUBERNETES
            ? "kubernetes bootstrap, " + requiredContactPoints + " contact points"
            : "seed nodes " + String.join(",", seedNodes);
    return selfAddress() + " (" + how + (tlsDir != null ? ", tls" : "") + ")";
  }

  private String readPassword(String file) {
    Path path = tlsDir.resolve(file);
    try {
      return Files.readString(path).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  /** Looks a setting up in the flags, then the environment, and names the source in errors. */
  private record Sources(Map<Setting, String> flags, Map<String, String> env) {

    boolean given(Setting s) {
      return raw(s) != null;
    }

    String raw(Setting s) {
      String flag = flags.get(s);
      if (flag != null) {
        return flag;
      }
      String value = env.get(s.variable());
      return value == null || value.isBlank() ? null : value;
    }

    String name(Setting s) {
      return flags.containsKey(s) ? s.flag() : s.variable();
    }

    InvalidSetting invalid(Setting s, String what) {
      return new InvalidSetting(name(s) + " " + what);
    }

    InvalidSetting invalid(Setting s, String what, String got) {
      return new InvalidSetting(name(s) + " " + what + " (got '" + got + "')");
    }

    String text(Setting s, String fallback) {
      String v = raw(s);
      if (v == null) {
        return fallback;
      }
      String t = v.strip();
      if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace) || t.contains("/") || t.contains("@")) {
        throw invalid(s, "must be a host name or IP address", v);
      }
      return t;
    }

    int port(Setting s, int fallback, boolean zeroMeansOff) {
      String v = raw(s);
      if (v == null) {
        return fallback;
      }
      int p = parsePort(v.strip());
      if (p < 0 || (p == 0 && !zeroMeansOff)) {
        throw invalid(s, zeroMeansOff ? "must be a port number 1-65535, or 0 for none" : "must be a port number 1-65535", v);
      }
      return p;
    }

    int positive(Setting s, int fallback) {
      String v = raw(s);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v.strip());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(s, "must be a whole number, at least 1", v);
    }

    Duration duration(Setting s, Duration fallback) {
      String v = raw(s);
      if (v == null) {
        return fallback;
      }
      String t = v.strip();
      Duration d = null;
      // HOCON reads a bare number as milliseconds: insist on a unit.
      if (DURATION.matcher(t).matches()) {
        try {
          d = ConfigFactory.parseMap(Map.of("d", t)).getDuration("d");
        } catch (RuntimeException e) {
          d = null;
        }
      }
      if (d == null || d.isNegative() || d.isZero()) {
        throw invalid(s, "must be a positive duration with a unit, such as 30s or 2m", v);
      }
      return d;
    }

    Discovery discovery() {
      String v = raw(Setting.DISCOVERY);
      if (v == null) {
        return Discovery.CONFIG;
      }
      for (Discovery d : Discovery.values()) {
        if (d.label().equals(v.strip())) {
          return d;
        }
      }
      throw invalid(Setting.DISCOVERY, "must be config or kubernetes", v);
    }

    List<String> roles() {
      String v = raw(Setting.ROLES);
      if (v == null) {
        return DEFAULT_ROLES;
      }
      LinkedHashSet<String> roles = new LinkedHashSet<>();
      for (String part : v.split(",", -1)) {
        String role = part.strip();
        if (!ROLE.matcher(role).matches() || role.startsWith("dc-")) {
          throw invalid(Setting.ROLES, "must be comma-separated names of letters, digits, '.', '_', '-' (not starting with dc-)", v);
        }
        roles.add(role);
      }
      return List.copyOf(roles);
    }

    List<String> seedNodes() {
      String v = raw(Setting.SEED_NODES);
      if (v == null) {
        return List.of();
      }
      List<String> seeds = new ArrayList<>();
      for (String part : v.split(",", -1)) {
        String seed = part.strip();
        int colon = seed.lastIndexOf(':');
        String host = colon > 0 ? seed.substring(0, colon) : "";
        int port = colon > 0 ? parsePort(seed.substring(colon + 1)) : -1;
        if (host.isEmpty() || port < 1 || host.chars().anyMatch(Character::isWhitespace) || host.contains("@") || host.contains("/")) {
          throw invalid(Setting.SEED_NODES, "must be comma-separated host:port pairs, e.g. 127.0.0.1:25520", v);
        }
        seeds.add(host + ":" + port);
      }
      return List.copyOf(seeds);
    }

    Path tlsDir() {
      String v = raw(Setting.TLS_DIR);
      if (v == null) {
        return null;
      }
      Path dir = Path.of(v.strip()).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw invalid(Setting.TLS_DIR, "is not a directory", v);
      }
      for (String file : Tls.FILES) {
        if (!Files.isReadable(dir.resolve(file))) {
          throw invalid(Setting.TLS_DIR, "has no readable " + file + " (deploy/tls/make-certs.sh writes it)", v);
        }
      }
      return dir;
    }

    private static int parsePort(String text) {
      try {
        int p = Integer.parseInt(text);
        return p >= 0 && p <= 65535 ? p : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
