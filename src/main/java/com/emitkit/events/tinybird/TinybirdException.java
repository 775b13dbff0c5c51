package com.emitkit.events.tinybird;

import java.time.Duration;
import java.util.Optional;

/** Tinybird answered with an error status; carries the status and Tinybird's request id, never the token. */
public final class TinybirdException extends RuntimeException {

    private final int status;
    private final String requestId;
    private final Duration retryAfter;

    public TinybirdException(int status, String requestId, String message) {
        this(status, requestId, message, null, null);
    }

    /** With the wait Tinybird asked for: Retry-After in seconds, else X-RateLimit-Reset (seconds until the window resets). */
    TinybirdException(int status, String requestId, String message, String retryAfterHeader, String rateLimitResetHeader) {
        super("Tinybird answered " + status + (requestId == null ? "" : " (request " + requestId + ")") + ": " + message);
        this.status = status;
        this.requestId = requestId;
        this.retryAfter = seconds(retryAfterHeader).or(() -> seconds(rateLimitResetHeader)).orElse(null);
    }

    public int status() {
        return status;
    }

    public String requestId() {
        return requestId;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    private static Optional<Duration> seconds(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            double seconds = Double.parseDouble(header.strip());
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofMillis((long) (seconds * 1000)));
        } catch (NumberFormatException e) {
            // An HTTP-date or garbage: no usable hint.
            return Optional.empty();
        }
    }
}
