package com.emitkit.events.ingest;

import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The field rules of {@code POST /v1/events}, as the public API contract states them, with limits that
 * keep one event small. Unknown fields are ignored so that newer SDKs keep working.
 */
public final class EventValidator {

    public static final int MAX_CHANNEL_NAME = 100;
    public static final int MAX_TITLE = 200;
    public static final int MAX_DESCRIPTION = 5_000;
    public static final int MAX_TAGS = 20;
    public static final int MAX_TAG = 50;
    /**
     * The largest event as stored: the UTF-8 bytes of its text fields, tags and metadata JSON together. Over
     * it, the event is a 413 {@code payload_too_large} (the next contract's stored event limit).
     */
    public static final int MAX_STORED_EVENT_BYTES = 16 * 1024;
    public static final int MAX_USER_ID = 255;
    public static final int MAX_SOURCE = 100;
    private static final int MAX_ICON_CHARS = 16;
    private static final Set<String> DISPLAY_AS = Set.of("message", "notification");

    private EventValidator() {
    }

    /** The event, or the list of everything wrong with it (never just the first problem). */
    public static Result validate(JsonNode body) {
        List<Violation> violations = new ArrayList<>();
        if (body == null || !body.isObject()) {
            violations.add(new Violation(List.of(), "Expected a JSON object"));
            return new Result(null, ApiException.validation(violations));
        }
        String channelName = requiredText(body, "channelName", MAX_CHANNEL_NAME, violations);
        String title = requiredText(body, "title", MAX_TITLE, violations);
        String description = optionalText(body, "description", MAX_DESCRIPTION, violations);
        String icon = optionalText(body, "icon", MAX_ICON_CHARS, violations);
        if (icon != null && !icon.isEmpty() && !singleEmoji(icon)) {
            violations.add(new Violation(List.of("icon"), "Must be a single emoji"));
        }
        List<String> tags = tags(body.get("tags"), violations);
        ObjectNode metadata = metadata(body.get("metadata"), violations);
        String userId = optionalText(body, "userId", MAX_USER_ID, violations);
        boolean notify = true;
        JsonNode notifyNode = body.get("notify");
        if (notifyNode != null && !notifyNode.isNull()) {
            if (notifyNode.isBoolean()) {
                notify = notifyNode.booleanValue();
            } else {
                violations.add(new Violation(List.of("notify"), "Expected a boolean"));
            }
        }
        String displayAs = optionalText(body, "displayAs", 20, violations);
        if (displayAs != null && !DISPLAY_AS.contains(displayAs)) {
            violations.add(new Violation(List.of("displayAs"), "Must be \"message\" or \"notification\""));
        }
        String source = optionalText(body, "source", MAX_SOURCE, violations);
        if (!violations.isEmpty()) {
            return new Result(null, ApiException.validation(violations));
        }
        EventInput event = new EventInput(channelName.strip(), title, description == null ? "" : description,
                icon == null ? "" : icon, tags, metadata, userId, notify, displayAs == null ? "message" : displayAs,
                source == null ? "" : source);
        int stored = storedBytes(event);
        if (stored > MAX_STORED_EVENT_BYTES) {
            return new Result(null, new ApiException(413, "The event is " + stored + " bytes as stored: the limit is "
                    + MAX_STORED_EVENT_BYTES));
        }
        return new Result(event, null);
    }

    /** Either an event or why it is refused: a 400 listing its violations, or a 413. */
    public record Result(EventInput event, ApiException failure) {
        public boolean valid() {
            return event != null;
        }
    }

    private static int storedBytes(EventInput event) {
        int bytes = utf8(event.channelName()) + utf8(event.title()) + utf8(event.description()) + utf8(event.icon())
                + utf8(event.userId()) + utf8(event.displayAs()) + utf8(event.source());
        for (String tag : event.tags()) {
            bytes += utf8(tag);
        }
        return bytes + (event.metadata() == null ? 0 : utf8(event.metadata().toString()));
    }

    private static int utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String requiredText(JsonNode body, String field, int max, List<Violation> violations) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            violations.add(new Violation(List.of(field), "Required"));
            return null;
        }
        String text = text(node, field, max, violations);
        if (text != null && text.isBlank()) {
            violations.add(new Violation(List.of(field), "Must not be empty"));
            return null;
        }
        return text;
    }

    private static String optionalText(JsonNode body, String field, int max, List<Violation> violations) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : text(node, field, max, violations);
    }

    private static String text(JsonNode node, Object field, int max, List<Violation> violations) {
        return text(node, List.of(field), max, violations);
    }

    private static String text(JsonNode node, List<Object> path, int max, List<Violation> violations) {
        if (!node.isTextual()) {
            violations.add(new Violation(path, "Expected a string"));
            return null;
        }
        String text = node.textValue();
        if (text.codePointCount(0, text.length()) > max) {
            violations.add(new Violation(path, "At most " + max + " characters"));
            return null;
        }
        return text;
    }

    private static List<String> tags(JsonNode node, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            violations.add(new Violation(List.of("tags"), "Expected an array of strings"));
            return List.of();
        }
        if (node.size() > MAX_TAGS) {
            violations.add(new Violation(List.of("tags"), "At most " + MAX_TAGS + " tags"));
            return List.of();
        }
        Set<String> tags = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String tag = text(node.get(i), List.of("tags", i), MAX_TAG, violations);
            if (tag != null) {
                if (tag.isBlank()) {
                    violations.add(new Violation(List.of("tags", i), "Must not be empty"));
                } else {
                    tags.add(tag.strip());
                }
            }
        }
        return List.copyOf(tags);
    }

    private static ObjectNode metadata(JsonNode node, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            violations.add(new Violation(List.of("metadata"), "Expected a JSON object"));
            return null;
        }
        return (ObjectNode) node;
    }

    /** One user-perceived character that is an emoji (flags, skin tones and ZWJ sequences included). */
    static boolean singleEmoji(String text) {
        BreakIterator graphemes = BreakIterator.getCharacterInstance();
        graphemes.setText(text);
        graphemes.first();
        if (graphemes.next() != text.length()) {
            return false;
        }
        return text.codePoints().anyMatch(cp -> Character.isEmoji(cp) && cp > 0x7f);
    }
}
