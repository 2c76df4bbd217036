package org.dmaemu.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** The one way tests make their ActorTestKit: messages are serialized on every send. */
public final class TestKits {
  private TestKits() {}

  public static Config config() {
    return ConfigFactory.parseString(
            "akka.actor.serialize-messages = on\n"
                + "akka.actor.serialization-bindings { \"org.dmaemu.protocol.CborSerializable\" = jackson-cbor }\n"
                + "akka.loglevel = WARNING\n"
                + "akka.scheduler.tick-duration = 1ms\n")
        .withFallback(ConfigFactory.load());
  }

  public static ActorTestKit create(String name) {
    return ActorTestKit.create(name, config());
  }
}
