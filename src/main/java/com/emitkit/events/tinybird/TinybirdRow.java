package com.emitkit.events.tinybird;

import io.vertx.core.json.JsonObject;

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

    public static TinybirdRow of(JsonObject row) {
        return new TinybirdRow(row.getString("id"), row.getString("organization_id"), row.getString("created_at"), row.encode());
    }
}
