package com.emitkit.events.tenancy;

/** Something asked of tenancy that does not exist or conflicts. */
public class TenancyException extends RuntimeException {

    TenancyException(String message) {
        super(message, null, false, false);
    }

    /** No such organization, site or key (in the caller's organization). */
    public static final class NotFound extends TenancyException {
        NotFound(String message) {
            super(message);
        }
    }

    /** A name that points at more than one thing the caller may see. */
    public static final class Ambiguous extends TenancyException {
        Ambiguous(String message) {
            super(message);
        }
    }
}
