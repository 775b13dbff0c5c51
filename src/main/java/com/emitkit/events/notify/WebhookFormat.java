package com.emitkit.events.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * What a webhook's requests carry. {@code standard}: the event as EmitKit's webhooks send it; {@code slack}:
 * a Slack incoming webhook message ({@code text}, {@code blocks}); {@code discord}: a Discord webhook
 * message ({@code embeds}).
 */
public enum WebhookFormat {

    STANDARD {
        @Override
        String body(JsonObject event, String link) {
            JsonObject payload = event.copy();
            payload.remove("channel_name");
            return payload.encode();
        }
    },

    SLACK {
        @Override
        String body(JsonObject event, String link) {
            String heading = heading(event);
            JsonArray blocks = new JsonArray().add(new JsonObject().put("type", "header")
                    .put("text", new JsonObject().put("type", "plain_text").put("text", truncate(heading, 150)).put("emoji", true)));
            String description = event.getString("description");
            if (description != null && !description.isBlank()) {
                blocks.add(new JsonObject().put("type", "section")
                        .put("text", new JsonObject().put("type", "mrkdwn").put("text", truncate(slackEscape(description), 3000))));
            }
            StringBuilder context = new StringBuilder("#").append(slackEscape(event.getString("channel_name")));
            for (Object tag : event.getJsonArray("tags")) {
                context.append("  `").append(slackEscape(tag.toString())).append('`');
            }
            blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray()
                    .add(new JsonObject().put("type", "mrkdwn").put("text", truncate(context.toString(), 3000)))));
            if (link != null) {
                blocks.add(new JsonObject().put("type", "actions").put("elements", new JsonArray().add(new JsonObject()
                        .put("type", "button").put("text", new JsonObject().put("type", "plain_text").put("text", "View event"))
                        .put("url", link))));
            }
            // text is what notifications and clients without blocks show.
            return new JsonObject().put("text", truncate(heading, 3000)).put("blocks", blocks).encode();
        }
    },

    DISCORD {
        @Override
        String body(JsonObject event, String link) {
            JsonObject embed = new JsonObject().put("title", truncate(heading(event), 256));
            String description = event.getString("description");
            if (description != null && !description.isBlank()) {
                embed.put("description", truncate(description, 4096));
            }
            if (link != null) {
                embed.put("url", link);
            }
            JsonArray fields = new JsonArray().add(field("Channel", event.getString("channel_name")));
            JsonArray tags = event.getJsonArray("tags");
            if (!tags.isEmpty()) {
                fields.add(field("Tags", String.join(", ", tags.stream().map(Object::toString).toList())));
            }
            embed.put("fields", fields)
                    .put("timestamp", event.getString("created_at"))
                    .put("footer", new JsonObject().put("text", "EmitKit"));
            return new JsonObject().put("embeds", new JsonArray().add(embed)).encode();
        }
    };

    /** The request body for one event (as {@link NotifiedEvent#toJson} keeps it), with a link to it or null. */
    abstract String body(JsonObject event, String link);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format of a wire name, or null for an unknown one. */
    public static WebhookFormat fromWire(String name) {
        for (WebhookFormat format : values()) {
            if (format.wireName().equals(name)) {
                return format;
            }
        }
        return null;
    }

    private static String heading(JsonObject event) {
        String icon = event.getString("icon");
        return icon == null || icon.isBlank() ? event.getString("title") : icon + " " + event.getString("title");
    }

    private static JsonObject field(String name, String value) {
        return new JsonObject().put("name", name).put("value", truncate(value, 1024)).put("inline", true);
    }

    /** Slack's mrkdwn treats these three as control characters. */
    private static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
