package com.emitkit.events.tinybird;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinybirdFailureTest {

    @Test
    void eachFailureHasOneKind() {
        assertEquals(TinybirdFailure.REFUSED, TinybirdFailure.of(new TinybirdException(400, null, "bad")));
        assertEquals(TinybirdFailure.RATE_LIMITED, TinybirdFailure.of(new TinybirdException(429, null, "slow down")));
        assertEquals(TinybirdFailure.FAILED, TinybirdFailure.of(new TinybirdException(503, null, "down")));
        assertEquals(TinybirdFailure.TIMED_OUT, TinybirdFailure.of(new TimeoutException()));
        assertEquals(TinybirdFailure.CIRCUIT_OPEN, TinybirdFailure.of(new CircuitBreakerOpenException()));
        assertEquals(TinybirdFailure.UNREACHABLE, TinybirdFailure.of(new ConnectException()));
        assertEquals(TinybirdFailure.CONNECTION_LOST, TinybirdFailure.of(new IOException("reset")));
        assertEquals(TinybirdFailure.OVERLOADED, TinybirdFailure.of(new TinybirdEventsSender.Overloaded(1)));
        assertEquals(TinybirdFailure.UNEXPECTED, TinybirdFailure.of(new IllegalStateException()));
    }

    @Test
    void onlyACallThatNeverReachedTinybirdOrWasRefusedStoredNothing() {
        assertFalse(TinybirdFailure.REFUSED.mayHaveStored());
        assertFalse(TinybirdFailure.UNREACHABLE.mayHaveStored());
        assertFalse(TinybirdFailure.CIRCUIT_OPEN.mayHaveStored());
        assertTrue(TinybirdFailure.TIMED_OUT.mayHaveStored());
        assertTrue(TinybirdFailure.CONNECTION_LOST.mayHaveStored());
        assertTrue(TinybirdFailure.FAILED.mayHaveStored());
    }

    @Test
    void refusalsDoNotOpenTheBreaker() {
        assertFalse(TinybirdFailure.REFUSED.upstreamDown());
        assertFalse(TinybirdFailure.RATE_LIMITED.upstreamDown());
        assertTrue(TinybirdFailure.FAILED.upstreamDown());
        assertTrue(TinybirdFailure.TIMED_OUT.upstreamDown());
    }
}
