package com.emitkit.events.web;

/**
 * The stable {@code code} of every error body (the next SDK line switches on it, not on the message), which
 * follows from the status.
 */
public enum ErrorCode {
    VALIDATION_ERROR("validation_error"),
    UNAUTHORIZED("unauthorized"),
    FORBIDDEN("forbidden"),
    NOT_FOUND("not_found"),
    IDEMPOTENCY_CONFLICT("idempotency_conflict"),
    PAYLOAD_TOO_LARGE("payload_too_large"),
    RATE_LIMITED("rate_limited"),
    INTERNAL_ERROR("internal_error");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * The code a status means when nothing more specific was said: any other 4xx (a bad parameter, 405, 406,
     * 415) is the client's request to fix, any 5xx (ours, or the event store's) an internal error.
     */
    public static ErrorCode of(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 409 -> IDEMPOTENCY_CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 429 -> RATE_LIMITED;
            default -> status >= 500 ? INTERNAL_ERROR : VALIDATION_ERROR;
        };
    }
}
