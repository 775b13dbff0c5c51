package com.emitkit.events.tinybird;

/**
 * One row for the Events API: its NDJSON line, and the fields that find it again in the datasource
 * ({@code id}, {@code organization_id}, {@code created_at}), so a send that may have landed is checked
 * before it is repeated.
 */
public record TinybirdRow(String id, String organizationId, String createdAt, String json) {

    public TinybirdRow {
        if (id == null || organizationId == null || createdAt == null) {
            throw new IllegalArgumentException("a row needs id, organization_id and created_at");
        }
    }
}
