package org.dmaemu.fault;

/** What a message fault does to one message on its path. */
public enum MessageAction {
  DROP,
  DELAY,
  DUPLICATE;

  /** How a fault plan names the action. */
  public String planName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
