package com.emitkit.events.notify;

/** A webhook request refused: an invalid field (a 400 for that field), or no such webhook (a 404). */
public final class WebhookRefusal extends RuntimeException {

    private final String field;

    private WebhookRefusal(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    static WebhookRefusal invalid(String field, String message) {
        return new WebhookRefusal(field, message);
    }

    static WebhookRefusal notFound(String webhookId) {
        return new WebhookRefusal(null, "No webhook " + webhookId);
    }

    /** The request field at fault; null when the webhook does not exist (for this caller). */
    public String field() {
        return field;
    }

    public boolean notFound() {
        return field == null;
    }
}
