package com.emitkit.events.local.template;

/**
 * The request cannot be rendered: a parameter is missing or invalid, or the template rejected it with
 * {@code error()}. Tinybird answers HTTP 400 with this message, worded as Tinybird words it.
 */
public class TemplateParameterException extends TemplateException {
    TemplateParameterException(String message, String documentation) {
        super(message, documentation);
    }
}
