package com.emitkit.events.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Hostile values for {@link HostileInputPropertyTest}, from a seeded generator: texts (NUL, lone surrogates,
 * bytes that are not UTF-8, SQL and template syntax, huge), and JSON values of every type, deeply nested or large.
 * A character in U+F700..U+F7FF stands for the raw byte of its low eight bits, so texts can carry bytes that no
 * Java string holds; {@link #utf8}, {@link #percentEncoded} and {@link #jsonString} write them as such.
 */
final class HostileValues {

    private static final List<String> FRAGMENTS = List.of(
            "\u0000", "a\u0000b", "\ud800", "\udfff", "x\udc00y", "\ude00\ud83d", "\ud83d\ude00", "\u202e", "\u200b", "\ufeff",
            "e\u0301", "\uffff", "\r\n", "\t", "\u001b[31m",
            raw(0xC0, 0x80), raw(0xE0, 0x80, 0x80), raw(0xED, 0xA0, 0x80), raw(0xF4, 0x90, 0x80, 0x80), raw(0xFF), raw(0xC3),
            "' OR '1'='1", "'; DROP TABLE organizations; --", "\"; SELECT * FROM system.tables --", "1 UNION SELECT 1", "--",
            "/*", "*/", "%", "%%", "_", "\\", "\\\\", "\\'", "\\x00", "\\u0000", "\\N",
            "{{ organization_id }}", "{{columns(organization_id)}}", "{% if 1 %}x{% end %}", "{%", "%}", "{{", "}}",
            "{{ sql_unescape(organization_id, '%') }}", "${jndi:ldap://x/a}", "#{1+1}", "%s%n%x", "<script>alert(1)</script>",
            "../../etc/passwd", "null", "true", "-1", "0", "1e400", "NaN", "-0", "99999999999999999999", "0x10",
            "2026-13-45", "0000-01-01", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00+25:00", "2026-11-01T10:00:00Z",
            "evt_", "org_", "emitkit_", "Bearer", "payments", " ", "");

    private final RandomGenerator random;

    HostileValues(RandomGenerator random) {
        this.random = random;
    }

    /** A text, at most about {@code max} characters (a huge one when {@code max} allows). */
    String text(int max, List<String> probes) {
        int kind = random.nextInt(10);
        if (kind == 0 && !probes.isEmpty()) {
            return pick(probes);
        }
        if (kind == 1 && max > 1000) {
            return pick(FRAGMENTS).repeat(1 + random.nextInt(max / 4)) + "x".repeat(random.nextInt(max / 2));
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0, parts = 1 + random.nextInt(4); i < parts && text.length() < max; i++) {
            text.append(random.nextInt(4) == 0 ? randomCodePoints() : pick(FRAGMENTS));
        }
        return text.length() > max ? text.substring(0, max) : text.toString();
    }

    /** A JSON value of any type, as JSON text (possibly not valid JSON at all). */
    String json(int depth, List<String> probes) {
        return switch (random.nextInt(depth > 3 ? 6 : 12)) {
            case 0, 1, 2 -> jsonString(text(20_000, probes));
            case 3 -> pick(List.of("0", "-1", "1.5", "1e308", "1e400", "-1e400", "123456789012345678901234567890", "-0", "0.0000001"));
            case 4 -> pick(List.of("true", "false", "null"));
            case 5 -> pick(List.of("", "{", "[", "\"unterminated", "{\"a\":1,\"a\":2}", "[1,]", "01", "'single'", "NaN", "{} {}"));
            case 6, 7 -> {
                StringBuilder array = new StringBuilder("[");
                for (int i = 0, n = random.nextInt(5); i < n; i++) {
                    array.append(i > 0 ? "," : "").append(json(depth + 1, probes));
                }
                yield array.append(']').toString();
            }
            case 8, 9 -> {
                StringBuilder object = new StringBuilder("{");
                for (int i = 0, n = random.nextInt(5); i < n; i++) {
                    object.append(i > 0 ? "," : "").append(jsonString(text(100, probes))).append(':').append(json(depth + 1, probes));
                }
                yield object.append('}').toString();
            }
            case 10 -> "[".repeat(40) + "]".repeat(40);
            default -> "[" + "\"x\",".repeat(5000) + "1]";
        };
    }

    /** A JSON string literal; lone surrogates escaped (the only way to write them), raw bytes left raw. */
    static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) && !paired) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    /** The text as bytes: UTF-8, but raw-byte characters as their byte and lone surrogates in their 3-byte form. */
    static byte[] utf8(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xF700 && cp <= 0xF7FF) {
                bytes.write(cp & 0xFF);
            } else if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                bytes.write(0xE0 | cp >> 12);
                bytes.write(0x80 | cp >> 6 & 0x3F);
                bytes.write(0x80 | cp & 0x3F);
            } else {
                bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    /** Every byte of {@link #utf8} percent-encoded but unreserved ASCII: a valid URI component of any bytes. */
    static String percentEncoded(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : utf8(text)) {
            int c = b & 0xFF;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(String.format("%02X", c));
            }
        }
        return encoded.toString();
    }

    /** A header value: HTTP clients send only visible ASCII, spaces and tabs (the server refuses the rest itself). */
    String headerValue(List<String> probes) {
        String text = text(500, probes);
        StringBuilder value = new StringBuilder();
        text.chars().filter(c -> c == '\t' || c >= 0x20 && c < 0x7F).forEach(c -> value.append((char) c));
        return value.toString().strip();
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private String randomCodePoints() {
        StringBuilder text = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x800);
                case 2 -> random.nextInt(0x10000);
                default -> 0x10000 + random.nextInt(0x100000);
            };
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    private static String raw(int... bytes) {
        StringBuilder text = new StringBuilder();
        for (int b : bytes) {
            text.append((char) (0xF700 | b));
        }
        return text.toString();
    }
}
