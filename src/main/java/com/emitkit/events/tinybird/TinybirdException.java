package com.emitkit.events.tinybird;

/** Tinybird answered with an error status; carries the status and Tinybird's request id, never the token. */
public final class TinybirdException extends RuntimeException {

    private final int status;
    private final String requestId;

    public TinybirdException(int status, String requestId, String message) {
        super("Tinybird answered " + status + (requestId == null ? "" : " (request " + requestId + ")") + ": " + message);
        this.status = status;
        this.requestId = requestId;
    }

    public int status() {
        return status;
    }

    public String requestId() {
        return requestId;
    }
}
