package com.emitkit.events.tenancy;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** An organization's plan for how long its events stay visible; each event keeps the tier it was created with. */
public enum RetentionTier {
    BASIC, PREMIUM, UNLIMITED;

    /** The name stored in PostgreSQL, on each event row and in JSON. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RetentionTier fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
