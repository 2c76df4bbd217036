package org.dmaemu.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HardwareSettingsTest {

  @Test
  @DisplayName("§9.1 defaults: a duplex engine (2 channels), 1000 bytes/µs, 2 µs latency, interrupt 0")
  void defaults() {
    HardwareSettings d = HardwareSettings.defaults();
    assertEquals(2, d.channels());
    assertEquals(1000.0, d.bytesPerMicrosecond());
    assertEquals(Duration.ofNanos(2_000), d.latency());
    assertEquals(0, d.interruptIndex());
    assertEquals(0, new HardwareSettings(1, 1.0, Duration.ZERO).interruptIndex());
  }

  @Test
  @DisplayName("a transfer keeps its channel busy for latency + length / bandwidth")
  void transferTime() {
    HardwareSettings d = HardwareSettings.defaults();
    assertEquals(2_000 + 8_192, d.transferNanos(8_192));
    assertEquals(1_000_000 + 500_000_000L, new HardwareSettings(1, 1.0, Duration.ofMillis(1)).transferNanos(500_000));
    assertEquals(Long.MAX_VALUE / 4, new HardwareSettings(1, 1e-300, Duration.ZERO).transferNanos(Long.MAX_VALUE));
  }

  @Test
  @DisplayName("behind a bus the engine's own data time is length / bandwidth, the latency apart; no bus by default")
  void dataTime() {
    HardwareSettings d = HardwareSettings.defaults();
    assertEquals(8_192, d.dataNanos(8_192));
    assertEquals(500_000_000L, new HardwareSettings(1, 1.0, Duration.ofMillis(1)).dataNanos(500_000));
    assertNull(d.bus());
    assertNull(d.withBus(null).withChannels(1).bus());
  }

  static Stream<Arguments> invalid() {
    Duration us = Duration.ofNanos(1_000);
    return Stream.of(
        Arguments.of("no channel", (Supplier<HardwareSettings>) () -> new HardwareSettings(0, 1.0, us),
            "hardware channels must be at least 1, got 0"),
        Arguments.of("zero bandwidth", (Supplier<HardwareSettings>) () -> new HardwareSettings(1, 0.0, us),
            "hardware bytesPerMicrosecond must be a positive finite number, got 0.0"),
        Arguments.of("negative bandwidth", (Supplier<HardwareSettings>) () -> new HardwareSettings(1, -5.0, us),
            "hardware bytesPerMicrosecond must be a positive finite number, got -5.0"),
        Arguments.of("NaN bandwidth", (Supplier<HardwareSettings>) () -> new HardwareSettings(1, Double.NaN, us),
            "hardware bytesPerMicrosecond must be a positive finite number, got NaN"),
        Arguments.of("infinite bandwidth",
            (Supplier<HardwareSettings>) () -> new HardwareSettings(1, Double.POSITIVE_INFINITY, us),
            "hardware bytesPerMicrosecond must be a positive finite number, got Infinity"),
        Arguments.of("no latency", (Supplier<HardwareSettings>) () -> new HardwareSettings(1, 1.0, null),
            "hardware latency must not be null"),
        Arguments.of("negative latency",
            (Supplier<HardwareSettings>) () -> new HardwareSettings(1, 1.0, Duration.ofNanos(-1)),
            "hardware latency must not be negative, got PT-0.000000001S"),
        Arguments.of("absurd latency",
            (Supplier<HardwareSettings>) () -> new HardwareSettings(1, 1.0, Duration.ofDays(400)),
            "hardware latency must be at most PT24H, got PT9600H"),
        Arguments.of("negative interrupt",
            (Supplier<HardwareSettings>) () -> HardwareSettings.defaults().withInterruptIndex(-1),
            "hardware interruptIndex must not be negative, got -1"));
  }

  @ParameterizedTest(name = "{0} → \"{2}\"")
  @MethodSource("invalid")
  void validation(String row, Supplier<HardwareSettings> make, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(message, e.getMessage());
  }
}
