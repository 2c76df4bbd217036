package org.dmaemu.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dmaemu.protocol.device.EnablerCreateResult;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.WdfDmaEnablerCreate;
import org.dmaemu.protocol.driver.DriverCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * DESIGN §4: every message that can cross nodes is serializable. Finds every record in the
 * protocol module that implements {@link CborSerializable}, builds an instance with sample values,
 * and round-trips it through the serializer bound in reference.conf.
 */
class SerializationRoundTripTest {
  private static ActorTestKit kit;
  private static SerializationTestKit serialization;
  private static TestProbe<Object> probe;

  @BeforeAll
  static void setUp() {
    kit =
        ActorTestKit.create(
            "SerializationRoundTripTest",
            ConfigFactory.parseString(
                    "akka.actor.serialization-bindings { \"org.dmaemu.protocol.CborSerializable\" = jackson-cbor }")
                .withFallback(ConfigFactory.load()));
    serialization = new SerializationTestKit(kit.system());
    probe = kit.createTestProbe();
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  static List<Class<?>> messageTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(CborSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList())) {
        String name = root.relativize(p).toString().replace('/', '.').replace(".class", "");
        Class<?> c = Class.forName(name);
        if (c.isRecord() && CborSerializable.class.isAssignableFrom(c)) {
          types.add(c);
        }
      }
    }
    return types;
  }

  @Test
  void findsEveryCallbackAndCommand() throws Exception {
    List<Class<?>> found = messageTypes();
    List<Class<?>> records = new ArrayList<>();
    concreteSubtypes(DriverCallback.class, records);
    concreteSubtypes(PnpCommand.class, records);
    assertTrue(records.size() >= 28, "callbacks and commands: " + records);
    for (Class<?> record : records) {
      assertTrue(found.contains(record), record + " is not round-tripped");
    }
    assertTrue(found.contains(WdfDmaEnablerCreate.class));
    assertTrue(found.contains(EnablerCreateResult.class));
  }

  /** The records below a sealed type, through sealed sub-interfaces. */
  private static void concreteSubtypes(Class<?> sealed, List<Class<?>> out) {
    for (Class<?> permitted : sealed.getPermittedSubclasses()) {
      if (permitted.isSealed()) {
        concreteSubtypes(permitted, out);
      } else {
        out.add(permitted);
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyMessageRoundTrips() throws Exception {
    return messageTypes().stream()
        .map(type -> DynamicTest.dynamicTest("DESIGN §4 round trip: " + type.getName(), () -> roundTrip(type)));
  }

  private static void roundTrip(Class<?> type) throws Exception {
    Object sample = sample(type, type);
    Object back = serialization.verifySerialization(sample, false);
    assertEquals(sample, back);
  }

  private static Object sample(Class<?> raw, Type generic) throws Exception {
    if (raw == String.class) {
      return "dev-000042";
    }
    if (raw == int.class || raw == Integer.class) {
      return 3;
    }
    if (raw == long.class || raw == Long.class) {
      return 4096L;
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return true;
    }
    if (raw == double.class || raw == Double.class) {
      return 0.25;
    }
    if (raw.isEnum()) {
      Object[] constants = raw.getEnumConstants();
      return constants[constants.length > 1 ? 1 : 0];
    }
    if (raw == ActorRef.class) {
      return probe.getRef();
    }
    if (raw == List.class || raw == Set.class) {
      Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
      Object one = sample(rawOf(element), element);
      return raw == List.class ? List.of(one) : Set.of(one);
    }
    if (raw == Map.class) {
      return Map.of("status", "0xC000009A");
    }
    if (raw.isRecord()) {
      RecordComponent[] components = raw.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        values[i] = sample(components[i].getType(), components[i].getGenericType());
      }
      Constructor<?> constructor = raw.getDeclaredConstructor(types);
      constructor.setAccessible(true);
      return constructor.newInstance(values);
    }
    throw new IllegalArgumentException("no sample for " + generic);
  }

  private static Class<?> rawOf(Type t) {
    return t instanceof ParameterizedType ? (Class<?>) ((ParameterizedType) t).getRawType() : (Class<?>) t;
  }
}
