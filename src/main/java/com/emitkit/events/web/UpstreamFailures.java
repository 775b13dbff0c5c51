package com.emitkit.events.web;

import com.emitkit.events.tinybird.TinybirdException;
import com.emitkit.events.tinybird.TinybirdFailure;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * A Tinybird failure as the public API reports it: never the client's fault, never a hang. Which kind of
 * failure it is, is {@link TinybirdFailure}'s to say; this class only maps the kinds to statuses.
 */
public final class UpstreamFailures {

    private static final Logger LOG = Logger.getLogger(UpstreamFailures.class);

    private UpstreamFailures() {
    }

    /**
     * 503 with Retry-After when it may pass (429, 5xx, no answer in time, unreachable), 502 otherwise;
     * names Tinybird's request id when it answered.
     */
    public static ApiException of(Throwable failure) {
        return switch (TinybirdFailure.of(failure)) {
            case REFUSED, RATE_LIMITED, FAILED -> {
                TinybirdException tinybird = (TinybirdException) failure;
                LOG.errorf("Tinybird failed: %s", tinybird.getMessage());
                boolean passing = tinybird.status() == 429 || tinybird.status() >= 500;
                yield new ApiException(passing ? 503 : 502, "The event store failed (upstream " + tinybird.status()
                        + (tinybird.requestId() == null ? "" : ", request " + tinybird.requestId()) + ")"
                        + (passing ? "; retry later" : ""), null, passing ? Map.of("Retry-After", "5") : Map.of());
            }
            case OVERLOADED -> {
                LOG.warn(failure.getMessage());
                yield new ApiException(503, "Too many events are waiting to be stored; retry shortly", null, Map.of("Retry-After", "1"));
            }
            case CIRCUIT_OPEN -> new ApiException(503, "The event store is unavailable; retry later", null, Map.of("Retry-After", "5"));
            case TIMED_OUT -> {
                LOG.errorf("Tinybird did not answer in time: %s", failure.getMessage());
                yield new ApiException(503, "The event store did not answer in time; retry later", null, Map.of("Retry-After", "5"));
            }
            case UNREACHABLE, CONNECTION_LOST, UNEXPECTED -> {
                LOG.errorf(failure, "Tinybird is unreachable");
                yield new ApiException(503, "The event store is unreachable; retry later", null, Map.of("Retry-After", "5"));
            }
        };
    }
}
