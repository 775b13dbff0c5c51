package com.emitkit.events.web;

import com.emitkit.events.tinybird.TinybirdEventsSender;
import com.emitkit.events.tinybird.TinybirdException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.TimeoutException;

/** A Tinybird failure as the public API reports it: never the client's fault, never a hang. */
public final class UpstreamFailures {

    private static final Logger LOG = Logger.getLogger(UpstreamFailures.class);

    private UpstreamFailures() {
    }

    /**
     * 503 with Retry-After when it may pass (429, 5xx, no answer in time, unreachable), 502 otherwise;
     * names Tinybird's request id when it answered.
     */
    public static ApiException of(Throwable failure) {
        if (failure instanceof TinybirdException tinybird) {
            LOG.errorf("Tinybird failed: %s", tinybird.getMessage());
            boolean passing = tinybird.status() == 429 || tinybird.status() >= 500;
            return new ApiException(passing ? 503 : 502, "The event store failed (upstream " + tinybird.status()
                    + (tinybird.requestId() == null ? "" : ", request " + tinybird.requestId()) + ")"
                    + (passing ? "; retry later" : ""), null, passing ? Map.of("Retry-After", "5") : Map.of());
        }
        if (failure instanceof TinybirdEventsSender.Overloaded overloaded) {
            LOG.warn(overloaded.getMessage());
            return new ApiException(503, "Too many events are waiting to be stored; retry shortly", null, Map.of("Retry-After", "1"));
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return new ApiException(503, "The event store is unavailable; retry later", null, Map.of("Retry-After", "5"));
        }
        if (failure instanceof TimeoutException) {
            LOG.errorf("Tinybird did not answer in time: %s", failure.getMessage());
            return new ApiException(503, "The event store did not answer in time; retry later", null, Map.of("Retry-After", "5"));
        }
        LOG.errorf(failure, "Tinybird is unreachable");
        return new ApiException(503, "The event store is unreachable; retry later", null, Map.of("Retry-After", "5"));
    }
}
