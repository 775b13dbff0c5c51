package com.emitkit.events.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The one check of the texts a client sends that may reach PostgreSQL or Tinybird: body strings and keys
 * ({@link JsonBodies}), path and query parameters ({@link RequestTexts}). A text must be
 * valid Unicode without NUL: PostgreSQL refuses NUL in text, and a lone surrogate has no UTF-8 form (it would
 * be stored as '?'). Bytes are decoded strictly: overlong forms and encoded surrogates are refused, never
 * decoded into the characters they disguise.
 */
final class Texts {

    private Texts() {
    }

    /** What is wrong with a text, or null when nothing is. */
    static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "Must not contain NUL characters";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "Must be valid Unicode: it has a lone surrogate";
            }
        }
        return null;
    }

    /** The text; a 400 naming the field when it is not valid Unicode or holds NUL. */
    private static String checked(String field, String text) {
        String problem = problem(text);
        if (problem != null) {
            throw invalid(field, problem);
        }
        return text;
    }

    /** Whether the bytes are UTF-8, by the same strict decoding as {@link #utf8}, without keeping the text. */
    static boolean isUtf8(byte[] bytes) {
        CharsetDecoder decoder = strictUtf8();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(Math.min(bytes.length, 8192) + 1);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return false;
            }
            if (result.isUnderflow()) {
                return !decoder.flush(out).isError();
            }
            out.clear();
        }
    }

    /** A UTF-8 decoder that refuses malformed input (overlong forms, encoded surrogates) instead of replacing it. */
    private static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** UTF-8 bytes as text, decoded strictly; null when they are not UTF-8. */
    static String utf8(byte[] bytes) {
        try {
            return strictUtf8().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * A percent-encoded URI component as text ({@code +} is a space in a query), decoded strictly and
     * checked: a 400 naming the field when the escapes or their UTF-8 are malformed.
     */
    static String decodedComponent(String field, String encoded, boolean query) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(encoded.charAt(i + 2), 16);
                if (low < 0) {
                    throw invalid(field, "Must be percent-encoded UTF-8: '%' starts no escape");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c == '+' && query) {
                bytes.write(' ');
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        String text = utf8(bytes.toByteArray());
        if (text == null) {
            throw invalid(field, "Must be percent-encoded UTF-8");
        }
        return checked(field, text);
    }

    private static ApiException invalid(String field, String problem) {
        return new ApiException(400, "Invalid '" + field + "': " + Character.toLowerCase(problem.charAt(0)) + problem.substring(1),
                List.of(new Violation(List.of(field), problem)), Map.of());
    }
}
