package com.emitkit.events.ingest;

import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventValidatorTest {

    private final ObjectMapper json = new ObjectMapper();

    private EventValidator.Result validate(String body) throws Exception {
        return EventValidator.validate(json.readTree(body));
    }

    @Test
    void everyFieldOfTheContract() throws Exception {
        EventValidator.Result result = validate("""
                {"channelName": " payments ", "title": "Payment received", "description": "€99", "icon": "💸",
                 "tags": ["vip", "eu", "vip"], "metadata": {"amount": 99.99, "nested": {"a": [1]}}, "userId": "user_1",
                 "notify": false, "displayAs": "notification", "source": "checkout", "somethingNew": 1}""");
        assertTrue(result.valid(), result.violations().toString());
        EventInput event = result.event();
        assertEquals("payments", event.channelName());
        assertEquals(List.of("vip", "eu"), event.tags());
        assertEquals(99.99, event.metadata().get("amount").doubleValue());
        assertFalse(event.notification());
        assertEquals("notification", event.displayAs());
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
                new Violation(List.of("displayAs"), "Must be \"message\" or \"notification\"")), result.violations());
    }

    @Test
    void limitsKeepEventsSmall() throws Exception {
        String tooManyTags = json.writeValueAsString(java.util.Collections.nCopies(EventValidator.MAX_TAGS + 1, "t"));
        String bigMetadata = "{\"blob\": \"" + "x".repeat(EventValidator.MAX_METADATA_BYTES) + "\"}";
        EventValidator.Result result = validate("{\"channelName\": \"c\", \"title\": \"t\", \"tags\": " + tooManyTags
                + ", \"metadata\": " + bigMetadata + "}");
        assertEquals(List.of(List.of("tags"), List.of("metadata")), result.violations().stream().map(Violation::path).toList());
        assertFalse(validate("[1, 2]").valid());
        assertFalse(validate("{\"channelName\": \"   \", \"title\": \"t\"}").valid());
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
