package com.emitkit.events.web;

import java.util.List;
import java.util.Map;

/**
 * A request this service refuses, answered in the public API's error shape
 * ({@code {"success": false, "error", "code", "requestId", "details"}}) with the given status and headers.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final List<Violation> details;
    private final Map<String, String> headers;

    public ApiException(int status, String message) {
        this(status, message, null, Map.of());
    }

    public ApiException(int status, String message, List<Violation> details, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
        this.headers = headers;
    }

    public static ApiException validation(List<Violation> details) {
        return new ApiException(400, "Validation failed", details, Map.of());
    }

    public int status() {
        return status;
    }

    public ErrorCode code() {
        return ErrorCode.of(status);
    }

    /** The validation errors, or null when there are none to report. */
    public List<Violation> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
