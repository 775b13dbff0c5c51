package com.emitkit.events.tenancy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The API-key cache's key: the presented key's bytes, nothing weaker. */
class PresentedKeyTest {

    private static ApiKeys.PresentedKey key(String key) {
        return new ApiKeys.PresentedKey(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void equalOnlyToTheSameBytes() {
        assertEquals(key("emitkit_abc123"), key("emitkit_abc123"));
        assertEquals(key("emitkit_abc123").hashCode(), key("emitkit_abc123").hashCode());
        assertNotEquals(key("emitkit_abc123"), key("emitkit_abc124"));
        assertNotEquals(key("emitkit_abc123"), key("emitkit_abc1234"));
    }

    @Test
    void twoKeysWithTheSameHashCodeStayApart() {
        // "Aa" and "BB" share String.hashCode, and so do their byte arrays' Arrays.hashCode.
        ApiKeys.PresentedKey first = key("emitkit_Aa");
        ApiKeys.PresentedKey second = key("emitkit_BB");
        assertEquals(first.hashCode(), second.hashCode());
        assertNotEquals(first, second);
    }

    @Test
    void neverPrintsTheKey() {
        assertFalse(key("emitkit_secret").toString().contains("secret"));
    }
}
