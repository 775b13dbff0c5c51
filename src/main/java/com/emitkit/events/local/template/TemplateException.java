package com.emitkit.events.local.template;

/** Any failure to parse or render a pipe template; see the two subclasses for who is at fault. */
public abstract class TemplateException extends RuntimeException {
    TemplateException(String message) {
        super(message);
    }
}
