package com.emitkit.events.query;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** Pipe rows ({@code snake_case}, metadata as JSON text) turned into the API's events. */
public final class EventRows {

    private EventRows() {
    }

    /** One event as the API shows it. */
    @RegisterForReflection
    public record Event(String id, String channelId, String channelName, String title, String description, String icon,
                        List<Object> tags, Map<String, Object> metadata, String userId,
                        @com.fasterxml.jackson.annotation.JsonProperty("notify") boolean notification, String displayAs,
                        String source, String retentionTier, String createdAt) {
    }

    static Event event(JsonObject row) {
        String metadata = row.getString("metadata", "{}");
        Map<String, Object> parsed;
        try {
            parsed = new JsonObject(metadata).getMap();
        } catch (RuntimeException e) {
            parsed = Map.of();
        }
        return new Event(row.getString("id"), row.getString("channel_id"), row.getString("channel_name"), row.getString("title"),
                row.getString("description"), row.getString("icon"), row.getJsonArray("tags", new JsonArray()).getList(),
                parsed, row.getString("user_id"), Boolean.TRUE.equals(row.getValue("notify")) || "1".equals(String.valueOf(row.getValue("notify"))),
                row.getString("display_as"), row.getString("source"), row.getString("retention_tier"), row.getString("created_at"));
    }

}
