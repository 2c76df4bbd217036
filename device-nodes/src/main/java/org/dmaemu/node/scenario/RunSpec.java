package org.dmaemu.node.scenario;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code run} section of a scenario: how long each device issues I/O and how the run is timed
 * and recorded. All durations are modeled time.
 *
 * @param seed the run seed; every entity's random stream derives from it (DESIGN §5)
 * @param requests requests each DMA device issues; 0 = no count limit ({@code duration} ends the I/O)
 * @param duration modeled time each device issues requests, from its I/O start; {@code null} = no time limit
 * @param warmUp requests arriving earlier than this after the device's I/O start run but are not measured
 * @param timeScale emulated microseconds per real microsecond, &gt; 0
 * @param interval metrics interval
 * @param callbackDeadline modeled time after which an unanswered callback is a hang
 * @param output the directory that receives the run directory (relative paths: to the working directory)
 * @param trace write {@code trace.json}; off for runs too large to trace (every callback is an event)
 */
public record RunSpec(
    long seed,
    long requests,
    Duration duration,
    Duration warmUp,
    double timeScale,
    Duration interval,
    Duration callbackDeadline,
    Path output,
    boolean trace) {}
