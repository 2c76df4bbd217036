package org.dmaemu.node.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Axis ticks and number labels. */
class ReportTicksTest {

  @Test
  @DisplayName("linear ticks step by 1, 2 or 5 times a power of ten and cover the data")
  void linear() {
    assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0), Ticks.linear(0, 97, 5).values());
    assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), Ticks.linear(0, 1, 5).values());
    assertEquals(List.of(0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0), Ticks.linear(0, 257, 5).values());
    assertEquals(List.of(-20.0, 0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 140.0, 160.0),
        Ticks.linear(-3, 155, 5).values(), "a finer step beats one that wastes a third of the axis");
    assertEquals(List.of(0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0), Ticks.linear(0, 3, 5).values());
    assertEquals(List.of(0.0, 0.0001, 0.0002, 0.0003), Ticks.linear(0, 0.00028, 3).values());
    Axis axis = Ticks.linear(0, 97, 5);
    assertEquals(0, axis.lo());
    assertEquals(100, axis.hi());
    assertEquals(List.of("0", "20", "40", "60", "80", "100"), axis.ticks().stream().map(Axis.Tick::label).toList());
  }

  @Test
  @DisplayName("a one-value axis gets some width around its value")
  void degenerate() {
    assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), Ticks.linear(0, 0, 5).values());
    Axis five = Ticks.linear(5, 5, 5);
    assertTrue(five.lo() < 5 && five.hi() > 5);
    Axis log = Ticks.log(100, 100, false);
    assertTrue(log.lo() < 100 && log.hi() > 100 && log.lo() > 0);
  }

  @Test
  @DisplayName("log ticks are decades, with 2 and 5 as minor ticks, labelled on request")
  void log() {
    Axis axis = Ticks.log(3, 4200, true);
    assertEquals(List.of(1.0, 10.0, 100.0, 1000.0, 10000.0), axis.majorValues());
    assertEquals(List.of(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0),
        axis.values());
    assertEquals(List.of("1", "2", "5", "10", "20", "50", "100", "200", "500", "1k", "2k", "5k", "10k"),
        axis.ticks().stream().map(Axis.Tick::label).toList());
    assertTrue(Ticks.log(3, 4200, false).ticks().stream().filter(t -> !t.major()).allMatch(t -> t.label().isEmpty()));
    assertEquals(0.0, axis.fraction(1), 1e-12);
    assertEquals(0.5, axis.fraction(100), 1e-12);
    assertEquals(List.of(0.001, 0.01, 0.1, 1.0), Ticks.log(0.002, 0.9, true).majorValues());
  }

  @Test
  @DisplayName("over many decades a log axis labels every second one")
  void manyDecades() {
    Axis axis = Ticks.log(1e-3, 1e9, true);
    assertEquals(List.of(1e-3, 0.1, 10.0, 1e3, 1e5, 1e7, 1e9), axis.majorValues());
    assertTrue(axis.ticks().stream().filter(t -> !t.major()).allMatch(t -> t.label().isEmpty()));
  }

  @Test
  @DisplayName("extreme spans still give a few ticks: near Double.MAX_VALUE, subnormal, 600 decades")
  void extremes() {
    Axis huge = Ticks.linear(-Double.MAX_VALUE, Double.MAX_VALUE, 5);
    assertTrue(huge.ticks().size() >= 2 && huge.ticks().size() <= 12, huge.toString());
    assertEquals(0.5, huge.fraction(0), 1e-12);
    Axis tiny = Ticks.linear(Double.MIN_VALUE, Double.MIN_VALUE, 5);
    assertTrue(tiny.ticks().size() >= 1);
    Axis wide = Ticks.log(1e-300, 1e300, true);
    assertTrue(wide.ticks().size() <= 20, "ticks " + wide.ticks().size());
    assertTrue(Ticks.log(Double.MIN_VALUE, 1, true).lo() > 0);
  }

  @Test
  @DisplayName("a log axis spanning less than a decade takes linear ticks, all above zero")
  void narrowLog() {
    Axis axis = Ticks.log(100, 150, true);
    assertTrue(axis.log());
    assertEquals(List.of(100.0, 110.0, 120.0, 130.0, 140.0, 150.0), axis.values());
    Axis low = Ticks.log(0.3, 2.9, true);
    assertTrue(low.lo() > 0 && low.ticks().stream().allMatch(t -> t.value() >= low.lo()));
  }

  @Test
  @DisplayName("an axis cut to the data keeps the ticks inside")
  void within() {
    Axis axis = Ticks.linear(0, 3600, 6).within(0, 3600);
    assertEquals(3600, axis.hi());
    assertEquals(3500.0, axis.values().get(axis.values().size() - 1));
  }

  @Test
  @DisplayName("numbers are written in four digits at most, with k, M, G, T")
  void compact() {
    assertEquals("0", Numbers.compact(0));
    assertEquals("0.25", Numbers.compact(0.25));
    assertEquals("950", Numbers.compact(950));
    assertEquals("1.5k", Numbers.compact(1500));
    assertEquals("10k", Numbers.compact(10_000));
    assertEquals("2M", Numbers.compact(2_000_000));
    assertEquals("1M", Numbers.compact(999_999));
    assertEquals("1.235M", Numbers.compact(1_234_567));
    assertEquals("12.35G", Numbers.compact(12_345_678_901.0));
    assertEquals("−1.5k", Numbers.compact(-1500));
    assertEquals("0.0001", Numbers.compact(0.0001));
    assertEquals("1e-5", Numbers.compact(0.00001));
    assertEquals("2.5e-7", Numbers.compact(2.5e-7));
    assertEquals("1e15", Numbers.compact(1e15));
    assertEquals("0.3", Numbers.compact(0.1 + 0.2));
    assertEquals("NaN", Numbers.compact(Double.NaN));
  }
}
