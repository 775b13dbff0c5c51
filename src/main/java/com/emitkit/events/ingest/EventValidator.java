package com.emitkit.events.ingest;

import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
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

    /** A field's value as read: its token, and its text when it is a string (an object's: its compact JSON). */
    private record Value(JsonToken token, String text) {
        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }
    }

    /** The fields of one event as read, in any order, before the rules apply (absent and JSON null: null). */
    private static final class Fields {
        Value channelName;
        Value title;
        Value description;
        Value icon;
        Value userId;
        Value notify;
        Value displayAs;
        Value source;
        Value tags;
        List<Value> tagValues;
        Value metadata;
    }

    /**
     * Reads one event from a parser at its first token, up to its last: the event, or the list of everything wrong
     * with it (never just the first problem). Fields are read straight off the tokens, without a tree; metadata is
     * kept as its compact JSON text.
     */
    public static Result read(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return new Result(null, ApiException.validation(List.of(new Violation(List.of(), "Expected a JSON object"))));
        }
        Fields fields = new Fields();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (name) {
                case "channelName" -> fields.channelName = value(parser, token);
                case "title" -> fields.title = value(parser, token);
                case "description" -> fields.description = value(parser, token);
                case "icon" -> fields.icon = value(parser, token);
                case "userId" -> fields.userId = value(parser, token);
                case "notify" -> fields.notify = value(parser, token);
                case "displayAs" -> fields.displayAs = value(parser, token);
                case "source" -> fields.source = value(parser, token);
                case "tags" -> {
                    if (token == JsonToken.START_ARRAY) {
                        fields.tagValues = new ArrayList<>();
                        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
                            fields.tagValues.add(value(parser, element));
                        }
                    }
                    fields.tags = token == JsonToken.START_ARRAY ? new Value(token, null) : value(parser, token);
                }
                case "metadata" -> {
                    fields.metadata = token == JsonToken.START_OBJECT ? new Value(token, compact(parser)) : value(parser, token);
                }
                default -> parser.skipChildren();
            }
        }
        return validate(fields);
    }

    /** A field's value; a structure is skipped, only its kind kept. */
    private static Value value(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token == JsonToken.VALUE_STRING) {
            return new Value(token, parser.getText());
        }
        parser.skipChildren();
        return new Value(token, null);
    }

    /** The object at the parser as compact JSON, as a tree of it would print. */
    private static String compact(JsonParser parser) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = parser.getCodec().getFactory().createGenerator(text)) {
            generator.copyCurrentStructure(parser);
        }
        return text.toString();
    }

    private static Result validate(Fields fields) {
        List<Violation> violations = new ArrayList<>();
        String channelName = requiredText(fields.channelName, "channelName", MAX_CHANNEL_NAME, violations);
        String title = requiredText(fields.title, "title", MAX_TITLE, violations);
        String description = optionalText(fields.description, "description", MAX_DESCRIPTION, violations);
        String icon = optionalText(fields.icon, "icon", MAX_ICON_CHARS, violations);
        if (icon != null && !icon.isEmpty() && !singleEmoji(icon)) {
            violations.add(new Violation(List.of("icon"), "Must be a single emoji"));
        }
        List<String> tags = tags(fields, violations);
        String metadata = null;
        if (fields.metadata != null) {
            if (fields.metadata.token() == JsonToken.START_OBJECT) {
                metadata = fields.metadata.text();
            } else {
                violations.add(new Violation(List.of("metadata"), "Expected a JSON object"));
            }
        }
        String userId = optionalText(fields.userId, "userId", MAX_USER_ID, violations);
        boolean notify = true;
        if (fields.notify != null) {
            if (fields.notify.token() == JsonToken.VALUE_TRUE || fields.notify.token() == JsonToken.VALUE_FALSE) {
                notify = fields.notify.token() == JsonToken.VALUE_TRUE;
            } else {
                violations.add(new Violation(List.of("notify"), "Expected a boolean"));
            }
        }
        String displayAs = optionalText(fields.displayAs, "displayAs", 20, violations);
        if (displayAs != null && !DISPLAY_AS.contains(displayAs)) {
            violations.add(new Violation(List.of("displayAs"), "Must be \"message\" or \"notification\""));
        }
        String source = optionalText(fields.source, "source", MAX_SOURCE, violations);
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
        return bytes + utf8(event.metadata());
    }

    private static int utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String requiredText(Value value, String field, int max, List<Violation> violations) {
        if (value == null) {
            violations.add(new Violation(List.of(field), "Required"));
            return null;
        }
        String text = text(value, List.of(field), max, violations);
        if (text != null && text.isBlank()) {
            violations.add(new Violation(List.of(field), "Must not be empty"));
            return null;
        }
        return text;
    }

    private static String optionalText(Value value, String field, int max, List<Violation> violations) {
        return value == null ? null : text(value, List.of(field), max, violations);
    }

    private static String text(Value value, List<Object> path, int max, List<Violation> violations) {
        if (value == null || !value.isString()) {
            violations.add(new Violation(path, "Expected a string"));
            return null;
        }
        String text = value.text();
        if (text.codePointCount(0, text.length()) > max) {
            violations.add(new Violation(path, "At most " + max + " characters"));
            return null;
        }
        return text;
    }

    private static List<String> tags(Fields fields, List<Violation> violations) {
        if (fields.tags == null) {
            return List.of();
        }
        if (fields.tagValues == null) {
            violations.add(new Violation(List.of("tags"), "Expected an array of strings"));
            return List.of();
        }
        if (fields.tagValues.size() > MAX_TAGS) {
            violations.add(new Violation(List.of("tags"), "At most " + MAX_TAGS + " tags"));
            return List.of();
        }
        Set<String> tags = new LinkedHashSet<>();
        for (int i = 0; i < fields.tagValues.size(); i++) {
            String tag = text(fields.tagValues.get(i), List.of("tags", i), MAX_TAG, violations);
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
