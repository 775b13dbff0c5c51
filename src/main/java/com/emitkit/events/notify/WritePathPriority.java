package com.emitkit.events.notify;

import java.time.Duration;

/**
 * Webhook deliveries yield the CPU to the write path: a client waits on its event's 201, nobody waits on a
 * notification's exact second. When events are arriving and the CPU is nearly full (at or above the threshold),
 * deliveries pause for a while; attempts already running finish. They start again once the pause is over, so under
 * sustained load they still progress in short spells, and at once when events stop. Time is in nanoseconds
 * ({@link System#nanoTime()}); callers pass it, tests choose it.
 */
final class WritePathPriority {

    /** Events seen this recently mean the write path is active. */
    static final Duration ACTIVE_WINDOW = Duration.ofSeconds(1);
    /** How long deliveries stay paused once they yield; short spells between pauses keep them moving. */
    static final Duration PAUSE = Duration.ofSeconds(2);

    private final double cpuThreshold;
    /** Written on every request with events: a primitive, so the hot path allocates nothing for it. */
    private volatile long eventsSeenAt;
    /** Whether {@link #eventsSeenAt} holds a time yet (nanoTime has no "never" value: it may be any long). */
    private volatile boolean eventsSeen;
    /** Null until the first pause. */
    private volatile Long pausedUntil;

    /** {@code cpuThreshold}: the CPU load (0 to 1) at which deliveries yield; 1 or more never yields. */
    WritePathPriority(double cpuThreshold) {
        this.cpuThreshold = cpuThreshold;
    }

    /** Events arrived just now. */
    void eventsArriving(long now) {
        eventsSeenAt = now;
        if (!eventsSeen) {
            eventsSeen = true;
        }
    }

    /**
     * Looks at the CPU load measured since the last look (negative when unknown: never yields on it); true when
     * deliveries just started a pause.
     */
    boolean look(long now, double cpuLoad) {
        if (cpuThreshold >= 1 || cpuLoad < cpuThreshold || !eventsSeen || now - eventsSeenAt > ACTIVE_WINDOW.toNanos()
                || paused(now)) {
            return false;
        }
        pausedUntil = now + PAUSE.toNanos();
        return true;
    }

    /** Whether new delivery attempts should wait. */
    boolean paused(long now) {
        Long until = pausedUntil;
        return until != null && now - until < 0;
    }
}
