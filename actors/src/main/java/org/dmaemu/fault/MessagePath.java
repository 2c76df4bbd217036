package org.dmaemu.fault;

import java.util.Arrays;
import java.util.Optional;

/**
 * The emulation paths a message fault acts on, each named as a fault plan writes it. Every path is
 * gated on the device's side, so that what a fault did is known where the device's requests end.
 */
public enum MessagePath {
  /** A DMA engine's interrupt to its device: a dropped one is a lost interrupt. */
  INTERRUPTS("interrupts"),
  /** An arbiter's grant (adapter lock, map registers, bus) as the waiting transaction receives it. */
  GRANTS("grants"),
  /** A framework-to-driver Evt* callback as the driver receives it. */
  CALLBACKS("callbacks"),
  /** A transaction's answer to a WdfDmaTransaction* call as the driver receives it. */
  DDI_REPLIES("ddi-replies");

  private final String planName;

  MessagePath(String planName) {
    this.planName = planName;
  }

  /** How a fault plan names the path. */
  public String planName() {
    return planName;
  }

  public static Optional<MessagePath> ofPlanName(String name) {
    return Arrays.stream(values()).filter(p -> p.planName.equals(name)).findFirst();
  }
}
