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

    static String random(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
