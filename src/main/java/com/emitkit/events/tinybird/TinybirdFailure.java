package com.emitkit.events.tinybird;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * What went wrong in a call to Tinybird: the one place that reads a failure's type. The sender's retries,
 * the circuit breaker, the outbox relay and the public API's answers all decide from this category.
 */
public enum TinybirdFailure {
    /** Tinybird refused the request (a 4xx other than 429): nothing was stored, and the same request will fail again. */
    REFUSED,
    /** Tinybird's rate limit (429): nothing was stored; it says when to come back. */
    RATE_LIMITED,
    /** Tinybird failed (5xx): the request may have been stored. */
    FAILED,
    /** No answer in time: the request may still be running upstream. */
    TIMED_OUT,
    /** The circuit breaker is open: nothing was sent. */
    CIRCUIT_OPEN,
    /** No connection could be made: nothing was sent. */
    UNREACHABLE,
    /** The connection broke during the call: the request may have been stored. */
    CONNECTION_LOST,
    /** Too many rows are waiting already (this service's own bound): nothing was sent. */
    OVERLOADED,
    /** Anything else: a bug rather than Tinybird's doing. */
    UNEXPECTED;

    public static TinybirdFailure of(Throwable failure) {
        return switch (failure) {
            case TinybirdException e when e.status() == 429 -> RATE_LIMITED;
            case TinybirdException e when e.status() < 500 -> REFUSED;
            case TinybirdException e -> FAILED;
            case TimeoutException e -> TIMED_OUT;
            case CircuitBreakerOpenException e -> CIRCUIT_OPEN;
            case ConnectException e -> UNREACHABLE;
            case IOException e -> CONNECTION_LOST;
            case TinybirdEventsSender.Overloaded e -> OVERLOADED;
            default -> UNEXPECTED;
        };
    }

    /** Whether Tinybird may hold the rows of a failed write, so that they must be looked up before being sent again. */
    public boolean mayHaveStored() {
        return switch (this) {
            case REFUSED, RATE_LIMITED, CIRCUIT_OPEN, UNREACHABLE, OVERLOADED -> false;
            case FAILED, TIMED_OUT, CONNECTION_LOST, UNEXPECTED -> true;
        };
    }

    /** Whether it counts against the circuit breaker: Tinybird down or failing, not refusing a request. */
    public boolean upstreamDown() {
        return this != REFUSED && this != RATE_LIMITED;
    }

    /** Whether it is Tinybird's doing (down, failing, slow or refusing), as opposed to a bug of ours. */
    public boolean upstream() {
        return this != UNEXPECTED && this != OVERLOADED;
    }
}
