package com.emitkit.events.local.template;

/** {@code custom_error(body, status)}: the template chose the HTTP status and the response body. */
public class TemplateCustomErrorException extends TemplateException {
    private final int status;
    private final String body;
    private final boolean json;

    TemplateCustomErrorException(int status, String body, boolean json) {
        super(body, null);
        this.status = status;
        this.body = body;
        this.json = json;
    }

    public int status() {
        return status;
    }

    /** The response body: the JSON of a dict, or a string as it is. */
    public String body() {
        return body;
    }

    public String contentType() {
        return json ? "application/json; charset=UTF-8" : "text/html; charset=UTF-8";
    }
}
