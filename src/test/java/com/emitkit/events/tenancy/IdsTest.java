package com.emitkit.events.tenancy;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

    @Test
    void idsArePrefixedBase62AndUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = Ids.next("evt");
            assertTrue(id.matches("evt_[0-9A-Za-z]{22}"), id);
            assertTrue(seen.add(id), "repeated " + id);
        }
    }

    @Test
    void everyCharacterIsEquallyLikely() {
        int[] counts = new int[128];
        int draws = 62 * 5_000;
        String text = Ids.random(draws);
        assertEquals(draws, text.length());
        text.chars().forEach(c -> counts[c]++);
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        double chiSquare = 0;
        for (char c : alphabet.toCharArray()) {
            double expected = draws / 62.0;
            chiSquare += Math.pow(counts[c] - expected, 2) / expected;
        }
        // 61 degrees of freedom: above 140 practically never happens by chance (about 1 in 10^7 runs), while a bias
        // such as taking a byte modulo 62 gives thousands.
        assertTrue(chiSquare < 140, "chi-square " + chiSquare);
    }
}
