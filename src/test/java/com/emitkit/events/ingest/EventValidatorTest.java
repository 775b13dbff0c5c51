package com.emitkit.events.ingest;

import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventValidatorTest {

    private final ObjectMapper json = new ObjectMapper();

    private EventValidator.Result validate(String body) throws Exception {
        try (JsonParser parser = json.createParser(body)) {
            parser.nextToken();
            EventValidator.Result result = EventValidator.read(parser);
            assertNull(parser.nextToken(), "the event read to its end");
            return result;
        }
    }

    @Test
    void everyFieldOfTheContract() throws Exception {
        EventValidator.Result result = validate("""
                {"channelName": " payments ", "title": "Payment received", "description": "€99", "icon": "💸",
                 "tags": ["vip", "eu", "vip"], "metadata": {"amount": 99.99, "nested": {"a": [1]}}, "userId": "user_1",
                 "notify": false, "displayAs": "notification", "source": "checkout", "somethingNew": 1}""");
        assertTrue(result.valid(), String.valueOf(result.failure()));
        EventInput event = result.event();
        assertEquals("payments", event.channelName());
        assertEquals(List.of("vip", "eu"), event.tags());
        assertEquals("{\"amount\":99.99,\"nested\":{\"a\":[1]}}", event.metadata());
        assertFalse(event.notification());
        assertEquals("notification", event.displayAs());
    }

    /** Metadata is kept as the compact JSON a tree of it prints, whatever the spacing, escapes and numbers sent. */
    @Test
    void metadataIsKeptAsCompactJson() throws Exception {
        String metadata = """
                { "float" : 1e2, "one": 1.0, "negativeZero": -0.0, "small": 1.5E-7, "big": 123456789012345678901234567890,
                  "long": 9007199254740993, "escaped": "\\u00e9\\n\\"\\u0041</script>", "emoji": "😀",
                  "nested": [ {"a": null, "b": true}, [], {} ], "empty": "" }""";
        EventInput event = validate("{\"channelName\": \"c\", \"title\": \"t\", \"metadata\": " + metadata + "}").event();
        assertEquals(json.readTree(metadata).toString(), event.metadata());
    }

    @Test
    void defaultsForOptionalFields() throws Exception {
        EventInput event = validate("{\"channelName\": \"c\", \"title\": \"t\", \"userId\": null}").event();
        assertTrue(event.notification());
        assertEquals("message", event.displayAs());
        assertEquals(List.of(), event.tags());
        assertEquals(null, event.userId());
        assertEquals(null, event.metadata());
    }

    @Test
    void reportsEveryViolationWithItsPath() throws Exception {
        EventValidator.Result result = validate("""
                {"title": 5, "description": "%s", "icon": "ab", "tags": ["ok", 3, ""], "metadata": [1],
                 "notify": "yes", "displayAs": "popup"}""".formatted("x".repeat(EventValidator.MAX_DESCRIPTION + 1)));
        assertFalse(result.valid());
        assertEquals(List.of(
                new Violation(List.of("channelName"), "Required"),
                new Violation(List.of("title"), "Expected a string"),
                new Violation(List.of("description"), "At most 5000 characters"),
                new Violation(List.of("icon"), "Must be a single emoji"),
                new Violation(List.of("tags", 1), "Expected a string"),
                new Violation(List.of("tags", 2), "Must not be empty"),
                new Violation(List.of("metadata"), "Expected a JSON object"),
                new Violation(List.of("notify"), "Expected a boolean"),
                new Violation(List.of("displayAs"), "Must be \"message\" or \"notification\"")), result.failure().details());
    }

    @Test
    void limitsKeepEventsSmall() throws Exception {
        String tooManyTags = json.writeValueAsString(java.util.Collections.nCopies(EventValidator.MAX_TAGS + 1, "t"));
        EventValidator.Result result = validate("{\"channelName\": \"c\", \"title\": \"t\", \"tags\": " + tooManyTags
                + ", \"metadata\": []}");
        assertEquals(400, result.failure().status());
        assertEquals(List.of(List.of("tags"), List.of("metadata")), result.failure().details().stream().map(Violation::path).toList());
        assertFalse(validate("[1, 2]").valid());
        assertFalse(validate("{\"channelName\": \"   \", \"title\": \"t\"}").valid());
    }

    /** The stored event limit counts all its stored fields together, in UTF-8 bytes: over it, a 413. */
    @Test
    void anEventOverTheStoredLimitIs413() throws Exception {
        // displayAs is stored as "message" when not sent.
        int room = EventValidator.MAX_STORED_EVENT_BYTES - "c".length() - "t".length() - "message".length() - "{\"k\":\"\"}".length();
        String fits = "{\"channelName\": \"c\", \"title\": \"t\", \"metadata\": {\"k\": \"" + "x".repeat(room) + "\"}}";
        assertTrue(validate(fits).valid());
        // One character more, in the description this time: the limit is the event's, not a field's.
        EventValidator.Result over = validate(fits.replace("\"title\": \"t\"", "\"title\": \"t\", \"description\": \"d\""));
        assertFalse(over.valid());
        assertEquals(413, over.failure().status());
        assertEquals("payload_too_large", over.failure().code().wireName());
        // Characters count by their UTF-8 bytes: 4,100 four-byte ones are over 16 KB, under 5,000 characters.
        EventValidator.Result wide = validate("{\"channelName\": \"c\", \"title\": \"t\", \"description\": \"" + "😀".repeat(4_100) + "\"}");
        assertEquals(413, wide.failure().status());
    }

    @Test
    void iconsAreOneEmojiEvenWhenComposed() {
        for (String emoji : List.of("💸", "👍🏽", "🇫🇷", "👩‍💻", "❤️")) {
            assertTrue(EventValidator.singleEmoji(emoji), emoji);
        }
        for (String notEmoji : List.of("a", "💸💸", "1", "#", "ab")) {
            assertFalse(EventValidator.singleEmoji(notEmoji), notEmoji);
        }
    }
}
