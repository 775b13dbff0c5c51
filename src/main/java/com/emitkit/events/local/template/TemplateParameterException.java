package com.emitkit.events.local.template;

/** A request parameter is missing or invalid: a client error (HTTP 400). */
public class TemplateParameterException extends TemplateException {
    // Error messages go back to the client and into logs; a huge value must not bloat them.
    private static final int MAX_ECHOED_CHARS = 100;

    TemplateParameterException(String message) {
        super(message);
    }

    /** The start of a request value, short enough to quote in an error message. */
    static String excerpt(String value) {
        return value.length() <= MAX_ECHOED_CHARS ? value : value.substring(0, MAX_ECHOED_CHARS) + "...";
    }
}
