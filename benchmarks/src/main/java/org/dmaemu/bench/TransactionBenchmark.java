package org.dmaemu.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.dmaemu.device.Device;
import org.dmaemu.device.DeviceSettings;
import org.dmaemu.driver.DmaIoDriver;
import org.dmaemu.driver.IoObserver;
import org.dmaemu.workload.IoWorkload;
import org.dmaemu.hardware.HardwareSettings;
import org.dmaemu.protocol.NtStatus;
import org.dmaemu.protocol.device.DeviceMessage;
import org.dmaemu.protocol.device.PnpCommand;
import org.dmaemu.protocol.device.PnpResult;
import org.dmaemu.protocol.enabler.DmaEnablerConfig;
import org.dmaemu.protocol.enabler.DmaProfile;
import org.dmaemu.trace.TraceSink;

/**
 * DMA transactions per second with zero modeled time (the hardware completes at once), against
 * plain Akka ping-pong measured in the same JVM (issue: transactions benchmark).
 *
 * <ul>
 *   <li>packet, 1 fragment: DMA v3 Packet64 enablers, 4 KiB requests, 4 transactions per device;
 *   <li>scatter-gather, 4 fragments: ScatterGather64 with 8 KiB fragments, 32 KiB requests.
 * </ul>
 *
 * Every transaction runs the whole path: Initialize, Execute, adapter lock, map registers,
 * EvtProgramDma, the engine, EvtInterruptIsr, EvtInterruptDpc, DmaCompleted, Release.
 *
 * <p>Usage: {@code java -Xms2g -Xmx2g -XX:+UseParallelGC -cp benchmarks/target/dmaemu-benchmarks.jar
 * org.dmaemu.bench.TransactionBenchmark [devices] [requestsPerDevice]} (defaults 64 and 5000).
 */
public final class TransactionBenchmark {
  private TransactionBenchmark() {}

  /**
   * Messages a transaction costs, counted from the code: 6 per transaction (Initialize, Execute,
   * Release and their returns) and 17 per arbitrated fragment — AcquireAdapter and its grant,
   * AllocateMapRegisters and its grant, EvtProgramDma and its return, ProgramTransfer, the engine's
   * completion, ReleaseAdapter, EvtInterruptIsr and its return, WdfInterruptQueueDpcForIsr,
   * EvtInterruptDpc and its return, DmaCompleted and its return, FreeMapRegisters. (The arbiters
   * watch a transaction once, at its first request, not per fragment.)
   */
  static final int MESSAGES_PER_TRANSACTION = 6;

  static final int MESSAGES_PER_FRAGMENT = 17;

  public static void main(String[] args) throws Exception {
    int devices = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    long requests = args.length > 1 ? Long.parseLong(args[1]) : 5000;
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "bench",
            ConfigFactory.parseString("akka.loglevel = WARNING\ndmaemu.clock.time-scale = 1.0")
                .withFallback(ConfigFactory.load()));
    try {
      double pingPong = pingPong(system, 2_000_000);
      double packet =
          transactions(system, devices, requests,
              DmaIoDriver.Mode.PACKET, DmaEnablerConfig.init(DmaProfile.PACKET64, 65536).withWdmDmaVersionOverride(3), 4096);
      double sg =
          transactions(system, devices, requests / 4,
              DmaIoDriver.Mode.SCATTER_GATHER, DmaEnablerConfig.init(DmaProfile.SCATTER_GATHER64, 8192), 32768);
      double packetMessages = packet * (MESSAGES_PER_TRANSACTION + MESSAGES_PER_FRAGMENT);
      double sgMessages = sg * (MESSAGES_PER_TRANSACTION + 4 * MESSAGES_PER_FRAGMENT);
      System.out.printf(Locale.ROOT, "ping-pong (2 typed actors)          %,12.0f messages/s%n", pingPong);
      System.out.printf(Locale.ROOT, "packet, 1 fragment                  %,12.0f transactions/s  (%,.0f messages/s, ratio %.2f)%n",
          packet, packetMessages, packetMessages / pingPong);
      System.out.printf(Locale.ROOT, "scatter-gather, 4 fragments         %,12.0f transactions/s  (%,.0f messages/s, ratio %.2f)%n",
          sg, sgMessages, sgMessages / pingPong);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
  }

  // ---- the emulator ----------------------------------------------------------------------------

  static double transactions(
      ActorSystem<Void> system, int devices, long requestsPerDevice, DmaIoDriver.Mode mode, DmaEnablerConfig enabler,
      long bytes) throws Exception {
    long total = (long) devices * requestsPerDevice;
    LongAdder failed = new LongAdder();
    AtomicLong done = new AtomicLong();
    CompletableFuture<Long> finished = new CompletableFuture<>();
    IoObserver observer =
        end -> {
          if (end.status() != NtStatus.STATUS_SUCCESS) {
            failed.increment();
          }
          if (done.incrementAndGet() == total) {
            finished.complete(System.nanoTime());
          }
        };
    DmaIoDriver.Settings driver =
        new DmaIoDriver.Settings(
            mode, enabler, 4, IoWorkload.closed(4, bytes, bytes, 0.5, requestsPerDevice), 0, List.of(), 1);
    // Zero modeled time: the engine completes a transfer as soon as it is programmed.
    HardwareSettings hardware = new HardwareSettings(2, Double.MAX_VALUE, Duration.ZERO);
    DeviceSettings settings = DeviceSettings.defaults().withHardware(hardware).withCallbackDeadline(Duration.ofSeconds(30));
    CompletableFuture<Void> added = new CompletableFuture<>();
    List<ActorRef<DeviceMessage>> refs = new ArrayList<>();
    ActorRef<PnpResult> results = system.systemActorOf(countdown(devices, added), "results-" + mode + System.nanoTime(),
        akka.actor.typed.Props.empty());
    for (int i = 0; i < devices; i++) {
      String id = String.format(Locale.ROOT, "bench-%s-%04d", mode, i);
      ActorRef<DeviceMessage> device =
          system.systemActorOf(Device.create(id, settings, driver.model(observer), TraceSink.NONE), id,
              akka.actor.typed.Props.empty());
      refs.add(device);
      device.tell(new PnpCommand.AddDevice(results));
    }
    added.get(1, TimeUnit.MINUTES);
    long start = System.nanoTime();
    for (ActorRef<DeviceMessage> device : refs) {
      device.tell(new PnpCommand.StartDevice(system.ignoreRef()));
    }
    long end = finished.get(30, TimeUnit.MINUTES);
    if (failed.sum() > 0) {
      throw new IllegalStateException(failed.sum() + " transactions failed");
    }
    return total / ((end - start) / 1e9);
  }

  static Behavior<PnpResult> countdown(int n, CompletableFuture<Void> done) {
    int[] left = {n};
    return Behaviors.receive((context, result) -> {
      if (--left[0] == 0) {
        done.complete(null);
      }
      return Behaviors.same();
    });
  }

  // ---- plain Akka ping-pong --------------------------------------------------------------------

  record Ball(long left, ActorRef<Ball> replyTo) {}

  static double pingPong(ActorSystem<Void> system, long messages) throws Exception {
    CompletableFuture<Long> finished = new CompletableFuture<>();
    ActorRef<Ball> ping = system.systemActorOf(player(finished), "ping", akka.actor.typed.Props.empty());
    ActorRef<Ball> pong = system.systemActorOf(player(finished), "pong", akka.actor.typed.Props.empty());
    long start = System.nanoTime();
    ping.tell(new Ball(messages, pong));
    long end = finished.get(5, TimeUnit.MINUTES);
    return messages / ((end - start) / 1e9);
  }

  static Behavior<Ball> player(CompletableFuture<Long> finished) {
    return Behaviors.receive((context, ball) -> {
      if (ball.left() == 0) {
        finished.complete(System.nanoTime());
      } else {
        ball.replyTo().tell(new Ball(ball.left() - 1, context.getSelf()));
      }
      return Behaviors.same();
    });
  }
}
