package com.emitkit.events.local;

/** A datasource or pipe the embedded workspace does not have (HTTP 404). */
public final class UnknownResourceException extends RuntimeException {

    public UnknownResourceException(String message) {
        super(message);
    }
}
