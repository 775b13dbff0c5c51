package com.emitkit.events.tenancy;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
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
    void everyCharacterOfASecretIsEquallyLikely() {
        int draws = 62 * 5_000;
        String text = Ids.secret(draws);
        assertEquals(draws, text.length());
        assertUniform(text);
    }

    /** Ids come from a thread's chunks of random bytes: uniform across chunk boundaries too. */
    @Test
    void everyCharacterOfIdsIsEquallyLikely() {
        StringBuilder text = new StringBuilder();
        while (text.length() < 62 * 5_000) {
            text.append(Ids.next("evt").substring("evt_".length()));
        }
        assertUniform(text.toString());
    }

    /** The n-th byte of the test's source: its low byte mixed with higher ones, so a skip of whole chunks shows too. */
    private static byte nth(int n) {
        return (byte) (n ^ (n >>> 8) ^ (n >>> 16));
    }

    @Test
    void chunksHandEachRandomByteOutOnceAndInOrder() {
        // A source whose bytes tell their place: what the chunks hand out must be that sequence, nothing skipped or repeated.
        Ids.RandomChunks chunks = new Ids.RandomChunks(new SecureRandom() {
            private int count;

            @Override
            public void nextBytes(byte[] bytes) {
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = nth(count++);
                }
            }
        });
        int handedOut = 0;
        for (int size : new int[] {26, 1000, 1, 2048, 7, 1024}) {
            byte[] drawn = new byte[size];
            chunks.accept(drawn);
            for (byte b : drawn) {
                assertEquals(nth(handedOut), b, "byte " + handedOut);
                handedOut++;
            }
        }
    }

    private static void assertUniform(String text) {
        int[] counts = new int[128];
        int draws = text.length();
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
