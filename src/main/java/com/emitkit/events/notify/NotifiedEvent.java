package com.emitkit.events.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * An accepted event with {@code notify} true, as webhooks see it. {@code metadata} is its JSON text, or null;
 * {@code createdAt} is ISO-8601 UTC.
 */
public record NotifiedEvent(String id, String channelId, String channelName, String title, String description, String icon,
                            List<String> tags, String metadata, String userId, String createdAt) {

    /** As kept with each delivery: the reference payload's fields, and the channel's name for the chat formats. */
    JsonObject toJson() {
        return new JsonObject()
                .put("event_id", id)
                .put("channel_id", channelId)
                .put("channel_name", channelName)
                .put("title", title)
                .put("description", description)
                .put("icon", icon)
                .put("tags", new JsonArray(tags))
                .put("metadata", metadata == null ? new JsonObject() : new JsonObject(metadata))
                .put("user_id", userId)
                .put("created_at", createdAt);
    }
}
