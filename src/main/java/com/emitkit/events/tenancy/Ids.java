package com.emitkit.events.tenancy;

import java.security.SecureRandom;

/** Random, prefixed identifiers ({@code org_...}, {@code evt_...}) and API key secrets. */
public final class Ids {

    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** {@code prefix_} and 22 base62 characters: about 131 random bits. */
    public static String next(String prefix) {
        return prefix + "_" + random(22);
    }

    /**
     * Uniform base62 characters from one draw of random bytes (each SecureRandom call takes a lock, and an id is
     * made per event): the low six bits of a byte are uniform over 64 values; the 62 that have a character are
     * kept, the other two drawn again.
     */
    static String random(int length) {
        char[] chars = new char[length];
        byte[] bytes = new byte[length + length / 8 + 2];
        int filled = 0;
        while (filled < length) {
            RANDOM.nextBytes(bytes);
            for (int i = 0; i < bytes.length && filled < length; i++) {
                int sixBits = bytes[i] & 63;
                if (sixBits < ALPHABET.length) {
                    chars[filled++] = ALPHABET[sixBits];
                }
            }
        }
        return new String(chars);
    }
}
