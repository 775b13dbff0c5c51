package com.emitkit.events.tinybird;

import java.nio.charset.StandardCharsets;

/**
 * One row for the Events API: its NDJSON line as the UTF-8 bytes sent (written once, never re-encoded per
 * send), and the fields that find it again in the datasource ({@code id}, {@code organization_id},
 * {@code created_at}), so a send that may have landed is checked before it is repeated. The line is shared,
 * not copied: nobody changes it once the row is made.
 */
public record TinybirdRow(String id, String organizationId, String createdAt, byte[] line) {

    public TinybirdRow {
        if (id == null || organizationId == null || createdAt == null || line == null) {
            throw new IllegalArgumentException("a row needs id, organization_id, created_at and its line");
        }
    }

    /** A row from its JSON text (as the outbox keeps it). */
    public TinybirdRow(String id, String organizationId, String createdAt, String json) {
        this(id, organizationId, createdAt, json.getBytes(StandardCharsets.UTF_8));
    }

    /** The line as text. */
    public String json() {
        return new String(line, StandardCharsets.UTF_8);
    }
}
