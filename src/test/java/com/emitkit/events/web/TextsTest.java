package com.emitkit.events.web;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TextsTest {

    @Test
    void validTextIncludingPairsOfSurrogatesPasses() {
        assertNull(Texts.problem("plain, accentué, 日本, 🎉 {{x}} {% y %} ' -- \\\\"));
        assertNull(Texts.problem(""));
    }

    @Test
    void nulAndLoneSurrogatesAreProblems() {
        assertNotNull(Texts.problem("a\u0000"));
        assertNotNull(Texts.problem("\ud800"));
        assertNotNull(Texts.problem("x\udc00"));
        assertNotNull(Texts.problem("\ud83d\ud83d\ude00".substring(0, 2)));
    }

    @Test
    void bytesAreDecodedStrictly() {
        assertEquals("é", Texts.utf8(new byte[]{(byte) 0xC3, (byte) 0xA9}));
        assertNull(Texts.utf8(new byte[]{(byte) 0xC0, (byte) 0x80}), "overlong NUL");
        assertNull(Texts.utf8(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}), "encoded surrogate");
    }

    @Test
    void percentEncodedComponentsAreDecodedStrictlyAndNamed() {
        assertEquals("a b+é", Texts.decodedComponent("q", "a+b%2B%C3%A9", true));
        assertEquals("a+b", Texts.decodedComponent("p", "a+b", false));
        for (String bad : new String[]{"%00", "%C0%80", "%zz", "%", "%F", "%ED%A0%80"}) {
            ApiException refused = assertThrows(ApiException.class, () -> Texts.decodedComponent("channel", bad, true), bad);
            assertEquals(400, refused.status());
            assertEquals(java.util.List.of("channel"), refused.details().getFirst().path());
        }
    }
}
