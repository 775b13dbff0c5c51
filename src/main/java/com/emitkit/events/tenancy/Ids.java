package com.emitkit.events.tenancy;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.function.Consumer;

/** Random, prefixed identifiers ({@code org_...}, {@code evt_...}) and API key secrets. */
public final class Ids {

    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    /** Secrets come straight from the platform's generator: no random bytes are kept around for them. */
    private static final SecureRandom SECRETS = new SecureRandom();
    /**
     * An id is made per event, hundreds of thousands a second under batch load: each thread draws ids from its own
     * DRBG in chunks, a fifth of the cost of a call to the platform's generator per id (which also takes a lock all
     * threads share). Ids are unguessable, not secret.
     */
    private static final ThreadLocal<RandomChunks> ID_BYTES = ThreadLocal.withInitial(() -> new RandomChunks(drbg()));

    private Ids() {
    }

    /** {@code prefix_} and 22 base62 characters: about 131 random bits. */
    public static String next(String prefix) {
        return prefix + "_" + base62(22, ID_BYTES.get());
    }

    /** A secret of {@code length} base62 characters (5.95 random bits each). */
    static String secret(int length) {
        return base62(length, SECRETS::nextBytes);
    }

    /**
     * Uniform base62 characters from one draw of random bytes: the low six bits of a byte are uniform over 64
     * values; the 62 that have a character are kept, the other two drawn again.
     */
    static String base62(int length, Consumer<byte[]> random) {
        char[] chars = new char[length];
        byte[] bytes = new byte[length + length / 8 + 2];
        int filled = 0;
        while (filled < length) {
            random.accept(bytes);
            for (int i = 0; i < bytes.length && filled < length; i++) {
                int sixBits = bytes[i] & 63;
                if (sixBits < ALPHABET.length) {
                    chars[filled++] = ALPHABET[sixBits];
                }
            }
        }
        return new String(chars);
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK since 9 has DRBG", e);
        }
    }

    /** One thread's random bytes, drawn from its DRBG a chunk at a time; each byte is handed out once. */
    static final class RandomChunks implements Consumer<byte[]> {
        private final SecureRandom source;
        private final byte[] chunk = new byte[1024];
        private int next = chunk.length;

        RandomChunks(SecureRandom source) {
            this.source = source;
        }

        @Override
        public void accept(byte[] into) {
            int copied = 0;
            while (copied < into.length) {
                if (next == chunk.length) {
                    source.nextBytes(chunk);
                    next = 0;
                }
                int n = Math.min(into.length - copied, chunk.length - next);
                System.arraycopy(chunk, next, into, copied, n);
                next += n;
                copied += n;
            }
        }
    }
}
