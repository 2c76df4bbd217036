package org.dmaemu.transaction;

import akka.actor.typed.ActorRef;
import org.dmaemu.protocol.arbitration.AdapterLockMessage;
import org.dmaemu.protocol.arbitration.MapRegisterMessage;

/**
 * One WDM adapter as a transaction sees it: its map registers and fragment limit (reference §4.1)
 * and the two arbitration actors behind it.
 */
public record AdapterArbiters(
    String adapterId,
    int mapRegisters,
    long maximumFragmentLength,
    ActorRef<AdapterLockMessage> lock,
    ActorRef<MapRegisterMessage> pool) {}
