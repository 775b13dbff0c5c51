package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON as Python's {@code json} module reads and writes it: {@link #parse} yields Python values and fails with
 * Python's messages (which Tinybird's {@code JSON()} quotes); {@link #dumps} writes {@code json.dumps} output,
 * which is how Tornado sends the body of a {@code custom_error}.
 */
final class Json {
    // Python's json gives up on deep nesting with a RecursionError; so do we, before the Java stack does.
    private static final int MAX_DEPTH = 500;

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    /** Thrown with Python's message, e.g. "Expecting value: line 1 column 1 (char 0)". */
    static final class JsonError extends Exception {
        JsonError(String message) {
            super(message, null, false, false);
        }
    }

    static Object parse(String text) throws JsonError {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value();
        json.skipSpace();
        if (json.pos != text.length()) {
            throw json.error("Extra data", json.pos);
        }
        return value;
    }

    private Object value() throws JsonError {
        if (pos >= text.length()) {
            throw error("Expecting value", pos);
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{', '[' -> {
                if (++depth > MAX_DEPTH) {
                    throw new JsonError("maximum recursion depth exceeded while decoding a JSON "
                            + (c == '{' ? "object" : "array") + " from a unicode string");
                }
                Object nested = c == '{' ? object() : array();
                depth--;
                return nested;
            }
            case '"' -> {
                return string();
            }
            default -> {
                for (var literal : List.of(Map.entry("null", "n"), Map.entry("true", "t"), Map.entry("false", "f"))) {
                    if (text.startsWith(literal.getKey(), pos)) {
                        pos += literal.getKey().length();
                        return literal.getKey().equals("null") ? null : literal.getKey().equals("true");
                    }
                }
                if (text.startsWith("NaN", pos) || text.startsWith("Infinity", pos) || text.startsWith("-Infinity", pos)) {
                    String word = text.startsWith("NaN", pos) ? "NaN" : text.startsWith("-", pos) ? "-Infinity" : "Infinity";
                    pos += word.length();
                    return word.equals("NaN") ? Double.NaN : word.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                }
                return number();
            }
        }
    }

    private Object object() throws JsonError {
        Map<Object, Object> map = Py.dict();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            if (peek() != '"') {
                throw error("Expecting property name enclosed in double quotes", pos);
            }
            String key = string();
            skipSpace();
            if (peek() != ':') {
                throw error("Expecting ':' delimiter", pos);
            }
            pos++;
            skipSpace();
            map.put(key, value());
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            if (peek() != ',') {
                throw error("Expecting ',' delimiter", pos);
            }
            pos++;
            skipSpace();
        }
    }

    private Object array() throws JsonError {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            if (peek() != ',') {
                throw error("Expecting ',' delimiter", pos);
            }
            pos++;
            skipSpace();
        }
    }

    private String string() throws JsonError {
        int start = pos;
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("Unterminated string starting at", start);
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("Invalid control character at", pos - 1);
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("Unterminated string starting at", start);
            }
            char escaped = text.charAt(pos++);
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length() || !text.substring(pos, pos + 4).matches("[0-9a-fA-F]{4}")) {
                        throw error("Invalid \\uXXXX escape", pos - 1);
                    }
                    out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> throw error("Invalid \\escape", pos - 2);
            }
        }
    }

    private Object number() throws JsonError {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            pos = start;
            throw error("Expecting value", start);
        }
        boolean isFloat = false;
        if (peek() == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            digits();
        }
        if ((peek() == 'e' || peek() == 'E')) {
            int mark = pos;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (peek() >= '0' && peek() <= '9') {
                isFloat = true;
                digits();
            } else {
                pos = mark;
            }
        }
        String number = text.substring(start, pos);
        return isFloat ? (Object) Double.parseDouble(number) : new BigInteger(number);
    }

    private void digits() {
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private JsonError error(String message, int at) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new JsonError(message + ": line " + line + " column " + (at - lineStart + 1) + " (char " + at + ")");
    }

    /** Python's {@code json.dumps} with its defaults: ", " and ": " separators, non-ASCII as \\uXXXX. */
    static String dumps(Object value) {
        return switch (value) {
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Py.Tuple t -> dumpsList(t.items());
            case List<?> l -> dumpsList(l);
            case Map<?, ?> m -> {
                StringBuilder out = new StringBuilder("{");
                m.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(quote(Py.str(k))).append(": ").append(dumps(v)));
                yield out.append('}').toString();
            }
            default -> {
                String s = Py.asStr(value);
                if (s != null) {
                    yield quote(s);
                }
                Double f = Py.asFloat(value);
                if (f != null) {
                    yield f.isNaN() ? "NaN" : f.isInfinite() ? (f > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(f);
                }
                BigInteger i = Py.asInt(value);
                yield i != null ? i.toString() : quote(Py.str(value));
            }
        };
    }

    private static String dumpsList(List<?> items) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            out.append(i > 0 ? ", " : "").append(dumps(items.get(i)));
        }
        return out.append(']').toString();
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(c < 0x20 || c > 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}
