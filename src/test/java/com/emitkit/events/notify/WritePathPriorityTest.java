package com.emitkit.events.notify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WritePathPriorityTest {

    private static final long MS = 1_000_000L;
    private static final long START = 5_000 * MS;

    @Test
    void deliveriesPauseWhileEventsArriveOnAFullCpu() {
        WritePathPriority priority = new WritePathPriority(0.9);
        priority.eventsArriving(START);
        assertTrue(priority.look(START + 100 * MS, 0.95), "events arriving, CPU at 95%: pause");
        assertTrue(priority.paused(START + 100 * MS));
        assertTrue(priority.paused(START + 2_099 * MS));
        assertFalse(priority.look(START + 1_000 * MS, 0.99), "a pause is not extended while it runs");
        assertFalse(priority.paused(START + 2_100 * MS), "the pause lasts 2 s, then deliveries run again");
    }

    @Test
    void aBusyCpuWithoutEventsDoesNotPauseDeliveries() {
        WritePathPriority priority = new WritePathPriority(0.9);
        assertFalse(priority.look(START, 1.0), "no events seen yet");
        priority.eventsArriving(START);
        assertFalse(priority.look(START + 1_001 * MS, 1.0), "the last events are more than a second old");
        assertFalse(priority.paused(START + 1_001 * MS));
    }

    @Test
    void eventsOnACpuWithRoomDoNotPauseDeliveries() {
        WritePathPriority priority = new WritePathPriority(0.9);
        priority.eventsArriving(START);
        assertFalse(priority.look(START + 10 * MS, 0.89));
        assertFalse(priority.look(START + 10 * MS, -1), "an unknown load never pauses");
        assertFalse(priority.paused(START + 10 * MS));
    }

    @Test
    void aThresholdOfOneTurnsItOff() {
        WritePathPriority priority = new WritePathPriority(1);
        priority.eventsArriving(START);
        assertFalse(priority.look(START + 10 * MS, 1.0));
        assertFalse(priority.paused(START + 10 * MS));
    }
}
