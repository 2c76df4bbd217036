package org.dmaemu.fault;

import java.time.Duration;

/** What a gate decided for one message: the fault that acts on it, and how. */
public record Injection(String faultId, MessagePath path, MessageAction action, Duration delay) {}
