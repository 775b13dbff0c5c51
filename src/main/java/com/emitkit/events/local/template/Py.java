package com.emitkit.events.local.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Python values a Tinybird template computes with, and Python's semantics for them: {@code str()},
 * {@code repr()}, truthiness, equality, ordering and arithmetic. None is Java null, bool Boolean, int BigInteger,
 * float Double, str String, list ArrayList, dict LinkedHashMap; the records below are Tinybird's own classes.
 */
final class Py {
    // Repeating or concatenating a str or list must not let a request exhaust memory.
    private static final int MAX_SEQUENCE = 1_000_000;
    private static final Pattern INT_TEXT = Pattern.compile("[+-]?\\d(?:_?\\d)*", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern FLOAT_TEXT = Pattern.compile(
            "[+-]?(?:(?:\\d(?:_?\\d)*(?:\\.(?:\\d(?:_?\\d)*)?)?|\\.\\d(?:_?\\d)*)(?:[eE][+-]?\\d(?:_?\\d)*)?"
                    + "|(?i:inf|infinity|nan))", Pattern.UNICODE_CHARACTER_CLASS);

    private Py() {
    }

    /** Tinybird's {@code Integer}: an int whose str() is {@code toInt32('5')}. */
    record TypedInt(BigInteger value, String type) {
    }

    /** Tinybird's {@code Float}: a float whose str() is {@code toFloat64('3.0')}. */
    record TypedFloat(double value, String type) {
    }

    /** Tinybird's {@code Expression}: a str printed into the SQL as is, because a helper already escaped it. */
    record SqlText(String sql) {
    }

    /** Tinybird's {@code Symbol}: an escaped, quoted identifier. */
    record Symbol(String sql) {
    }

    record Tuple(List<Object> items) {
    }

    /** A builtin exception class, for {@code except ValueError}. */
    record ExceptionClass(String name) {
    }

    /** The value bound by {@code except ... as e}. */
    record CaughtError(String type, String message) {
    }

    /** A method looked up on a value, e.g. {@code x.split}. */
    record BoundMethod(Object self, String name) {
    }

    interface Callable {
        String name();

        /** The parameters, so that calls can be checked when the template is parsed. */
        Signature signature();

        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    static PyException typeError(String message) {
        return new PyException("TypeError", message);
    }

    static PyException valueError(String message) {
        return new PyException("ValueError", message);
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case BigInteger i -> "int";
            case Double d -> "float";
            case String s -> "str";
            case TypedInt i -> "Integer";
            case TypedFloat f -> "Float";
            case SqlText e -> "Expression";
            case Symbol s -> "Symbol";
            case Tuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Callable c -> "function";
            case BoundMethod m -> "builtin_function_or_method";
            case ExceptionClass c -> "type";
            case CaughtError e -> e.type();
            default -> v.getClass().getSimpleName();
        };
    }

    /** The str value of a str or of Tinybird's Expression (a str subclass); null for anything else. */
    static String asStr(Object v) {
        return switch (v) {
            case String s -> s;
            case SqlText e -> e.sql();
            case null, default -> null;
        };
    }

    /** An int, bool or Integer as a BigInteger; null for anything else. */
    static BigInteger asInt(Object v) {
        return switch (v) {
            case BigInteger i -> i;
            case TypedInt i -> i.value();
            case Boolean b -> b ? BigInteger.ONE : BigInteger.ZERO;
            case null, default -> null;
        };
    }

    static Double asFloat(Object v) {
        return switch (v) {
            case Double d -> d;
            case TypedFloat f -> f.value();
            case null, default -> null;
        };
    }

    static boolean isNumber(Object v) {
        return asInt(v) != null || asFloat(v) != null;
    }

    static double toDouble(Object v) {
        Double f = asFloat(v);
        return f != null ? f : asInt(v).doubleValue();
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case BigInteger i -> i.signum() != 0;
            case TypedInt i -> i.value().signum() != 0;
            case Double d -> d != 0;
            case TypedFloat f -> f.value() != 0;
            case String s -> !s.isEmpty();
            case SqlText e -> !e.sql().isEmpty();
            case Tuple t -> !t.items().isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case BigInteger i -> i.toString();
            case TypedInt i -> "to" + i.type() + "('" + i.value() + "')";
            case Double d -> floatRepr(d);
            case TypedFloat f -> "to" + f.type() + "('" + floatRepr(f.value()) + "')";
            case String s -> s;
            case SqlText e -> e.sql();
            case Symbol s -> s.sql();
            case CaughtError e -> e.message();
            default -> repr(v);
        };
    }

    static String repr(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> strRepr(s);
            case SqlText e -> strRepr(e.sql());
            case TypedInt i -> i.value().toString();
            case TypedFloat f -> floatRepr(f.value());
            case Tuple t -> t.items().size() == 1 ? "(" + repr(t.items().getFirst()) + ",)" : join(t.items(), "(", ")");
            case List<?> l -> join(l, "[", "]");
            case Map<?, ?> m -> {
                StringBuilder out = new StringBuilder("{");
                m.forEach((k, val) -> out.append(out.length() > 1 ? ", " : "").append(repr(k)).append(": ").append(repr(val)));
                yield out.append('}').toString();
            }
            case Symbol s -> "<Symbol " + s.sql() + ">";
            case Callable c -> "<function " + c.name() + ">";
            case BoundMethod m -> "<built-in method " + m.name() + ">";
            case ExceptionClass c -> "<class '" + c.name() + "'>";
            case CaughtError e -> e.type() + "(" + strRepr(e.message()) + ")";
            default -> str(v);
        };
    }

    private static String join(List<?> items, String open, String close) {
        StringBuilder out = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            out.append(i > 0 ? ", " : "").append(repr(items.get(i)));
        }
        return out.append(close).toString();
    }

    /** Python's repr of a str: single quotes unless the text has one and no double quote. */
    static String strRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append((char) c);
                    } else if (printable(c)) {
                        out.appendCodePoint(c);
                    } else if (c < 0x100) {
                        out.append(String.format("\\x%02x", c));
                    } else if (c < 0x10000) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return out.append(quote).toString();
    }

    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's repr of a float: the shortest round-tripping digits, in exponent form below 1e-4 or from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        // Since JDK 19 Double.toString gives the shortest digits that read back as d, as Python's repr does.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int point = digits.length() - exact.scale();
        String sign = d < 0 ? "-" : "";
        int exponent = point - 1;
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length()) + ".0";
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    /** Python's {@code int(text)}: surrounding whitespace, a sign, underscores between digits, any Unicode digits. */
    static BigInteger parseInt(String text) {
        String s = text.strip();
        if (!INT_TEXT.matcher(s).matches()) {
            throw valueError("invalid literal for int() with base 10: " + strRepr(text));
        }
        return new BigInteger(asciiDigits(s.replace("_", "")));
    }

    /** Python's {@code float(text)}. */
    static double parseFloat(String text) {
        String s = text.strip();
        if (!FLOAT_TEXT.matcher(s).matches()) {
            throw valueError("could not convert string to float: " + strRepr(text));
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        double sign = lower.startsWith("-") ? -1 : 1;
        if (unsigned.startsWith("inf")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(asciiDigits(s.replace("_", "")));
    }

    private static String asciiDigits(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.append(Character.isDigit(c) ? (char) ('0' + Character.digit(c, 10)) : (char) c));
        return out.toString();
    }

    /** Python's {@code int(x)}. */
    static BigInteger toInt(Object v) {
        BigInteger i = asInt(v);
        if (i != null) {
            return i;
        }
        Double f = asFloat(v);
        if (f != null) {
            if (f.isNaN() || f.isInfinite()) {
                throw valueError("cannot convert float " + floatRepr(f) + " to integer");
            }
            return new BigDecimal(f).toBigInteger();
        }
        String s = asStr(v);
        if (s != null) {
            return parseInt(s);
        }
        throw typeError("int() argument must be a string, a bytes-like object or a real number, not '" + typeName(v) + "'");
    }

    /** Python's {@code float(x)}. */
    static double toFloat(Object v) {
        if (isNumber(v)) {
            return toDouble(v);
        }
        String s = asStr(v);
        if (s != null) {
            return parseFloat(s);
        }
        throw typeError("float() argument must be a string or a real number, not '" + typeName(v) + "'");
    }

    /** The items of an iterable: list, tuple, str (its characters) or dict (its keys). */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case Tuple t -> t.items();
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case null, default -> {
                String s = asStr(v);
                if (s == null) {
                    throw typeError("'" + typeName(v) + "' object is not iterable");
                }
                List<Object> chars = new ArrayList<>();
                s.codePoints().forEach(c -> chars.add(Character.toString(c)));
                yield chars;
            }
        };
    }

    static int len(Object v) {
        return switch (v) {
            case Tuple t -> t.items().size();
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case null, default -> {
                String s = asStr(v);
                if (s == null) {
                    throw typeError("object of type '" + typeName(v) + "' has no len()");
                }
                yield s.codePointCount(0, s.length());
            }
        };
    }

    static boolean equal(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b) == 0;
        }
        String sa = asStr(a);
        String sb = asStr(b);
        if (sa != null || sb != null) {
            return sa != null && sa.equals(sb);
        }
        if (a instanceof Tuple ta && b instanceof Tuple tb) {
            return sequenceCompare(ta.items(), tb.items(), "==") == 0;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            return la.size() == lb.size() && sequenceCompare(la, lb, "==") == 0;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                Object key = findKey(mb, e.getKey());
                if (key == NO_KEY || !equal(e.getValue(), mb.get(key))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static final Object NO_KEY = new Object();

    /** The key of {@code map} equal to {@code key} in Python's sense (1 == 1.0 == True), or NO_KEY. */
    static Object findKey(Map<?, ?> map, Object key) {
        if (map.containsKey(key)) {
            return key;
        }
        for (Object k : map.keySet()) {
            if (equal(k, key)) {
                return k;
            }
        }
        return NO_KEY;
    }

    static boolean hasKey(Map<?, ?> map, Object key) {
        return findKey(map, key) != NO_KEY;
    }

    static Object getKey(Map<?, ?> map, Object key) {
        Object k = findKey(map, key);
        return k == NO_KEY ? null : map.get(k);
    }

    /** Python's ordering for {@code <}, {@code <=}, {@code >}, {@code >=}; a TypeError for values that have none. */
    static int order(Object a, Object b, String operator) {
        if (isNumber(a) && isNumber(b)) {
            return compareNumbers(a, b);
        }
        String sa = asStr(a);
        String sb = asStr(b);
        if (sa != null && sb != null) {
            return compareCodePoints(sa, sb);
        }
        if (a instanceof Tuple ta && b instanceof Tuple tb) {
            return sequenceCompare(ta.items(), tb.items(), operator);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            return sequenceCompare(la, lb, operator);
        }
        throw typeError("'" + operator + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static int sequenceCompare(List<?> a, List<?> b, String operator) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return operator.equals("==") ? 1 : order(a.get(i), b.get(i), operator);
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareNumbers(Object a, Object b) {
        BigInteger ia = asInt(a);
        BigInteger ib = asInt(b);
        if (ia != null && ib != null) {
            return ia.compareTo(ib);
        }
        double da = toDouble(a);
        double db = toDouble(b);
        if (Double.isNaN(da) || Double.isNaN(db)) {
            return 2; // unordered: neither less, equal nor greater matches
        }
        if (Double.isInfinite(da) || Double.isInfinite(db)) {
            return Double.compare(da, db);
        }
        BigDecimal xa = ia != null ? new BigDecimal(ia) : new BigDecimal(da);
        BigDecimal xb = ib != null ? new BigDecimal(ib) : new BigDecimal(db);
        return xa.compareTo(xb);
    }

    /** {@code needle in haystack}. */
    static boolean contains(Object haystack, Object needle) {
        String s = asStr(haystack);
        if (s != null) {
            String sub = asStr(needle);
            if (sub == null) {
                throw typeError("'in <string>' requires string as left operand, not " + typeName(needle));
            }
            return s.contains(sub);
        }
        return switch (haystack) {
            case Map<?, ?> m -> hasKey(m, needle);
            case Tuple t -> t.items().stream().anyMatch(item -> equal(item, needle));
            case List<?> l -> l.stream().anyMatch(item -> equal(item, needle));
            case null, default -> throw typeError("argument of type '" + typeName(haystack) + "' is not iterable");
        };
    }

    static Object binary(Object a, String op, Object b) {
        if (isNumber(a) && isNumber(b)) {
            return arithmetic(a, op, b);
        }
        String sa = asStr(a);
        String sb = asStr(b);
        switch (op) {
            case "+" -> {
                if (sa != null && sb != null) {
                    requireSize((long) sa.length() + sb.length());
                    return sa + sb;
                }
                if (a instanceof Tuple ta && b instanceof Tuple tb) {
                    List<Object> items = new ArrayList<>(ta.items());
                    items.addAll(tb.items());
                    return new Tuple(items);
                }
                if (a instanceof List<?> la && b instanceof List<?> lb) {
                    requireSize((long) la.size() + lb.size());
                    List<Object> items = new ArrayList<>(la);
                    items.addAll(lb);
                    return items;
                }
                if (sa != null) {
                    throw typeError("can only concatenate str (not \"" + typeName(b) + "\") to str");
                }
                if (a instanceof List<?>) {
                    throw typeError("can only concatenate list (not \"" + typeName(b) + "\") to list");
                }
            }
            case "*" -> {
                if (asInt(b) != null && !isNumber(a)) {
                    return repeat(a, asInt(b));
                }
                if (asInt(a) != null && !isNumber(b)) {
                    return repeat(b, asInt(a));
                }
            }
            default -> {
            }
        }
        throw typeError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    private static Object repeat(Object sequence, BigInteger times) {
        int n = Math.max(0, times.min(BigInteger.valueOf(MAX_SEQUENCE + 1)).intValue());
        requireSize((long) len(sequence) * n);
        String s = asStr(sequence);
        if (s != null) {
            return s.repeat(n);
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.addAll(iterate(sequence));
        }
        return sequence instanceof Tuple ? new Tuple(items) : items;
    }

    private static void requireSize(long size) {
        if (size > MAX_SEQUENCE) {
            throw new PyException("MemoryError", "sequence larger than " + MAX_SEQUENCE + " items");
        }
    }

    private static Object arithmetic(Object a, String op, Object b) {
        BigInteger ia = asInt(a);
        BigInteger ib = asInt(b);
        if (ia != null && ib != null) {
            return switch (op) {
                case "+" -> ia.add(ib);
                case "-" -> ia.subtract(ib);
                case "*" -> ia.multiply(ib);
                case "/" -> {
                    requireNonZero(ib.signum() == 0, "division by zero");
                    // Below 2^53 both are exact doubles, so one division is correctly rounded, as Python's is.
                    yield ia.bitLength() <= 53 && ib.bitLength() <= 53 ? ia.doubleValue() / ib.doubleValue()
                            : new BigDecimal(ia).divide(new BigDecimal(ib), new java.math.MathContext(40)).doubleValue();
                }
                case "//" -> {
                    requireNonZero(ib.signum() == 0, "integer division or modulo by zero");
                    BigInteger[] qr = ia.divideAndRemainder(ib);
                    yield qr[1].signum() != 0 && qr[1].signum() != ib.signum() ? qr[0].subtract(BigInteger.ONE) : qr[0];
                }
                case "%" -> {
                    requireNonZero(ib.signum() == 0, "integer modulo by zero");
                    BigInteger r = ia.mod(ib.abs());
                    yield ib.signum() < 0 && r.signum() != 0 ? r.add(ib) : r;
                }
                default -> throw new IllegalArgumentException(op);
            };
        }
        double x = toDouble(a);
        double y = toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> {
                requireNonZero(y == 0, "float division by zero");
                yield x / y;
            }
            case "//" -> {
                requireNonZero(y == 0, "float floor division by zero");
                yield Math.floor(x / y);
            }
            case "%" -> {
                requireNonZero(y == 0, "float modulo");
                double r = x % y;
                yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
            default -> throw new IllegalArgumentException(op);
        };
    }

    private static void requireNonZero(boolean zero, String message) {
        if (zero) {
            throw new PyException("ZeroDivisionError", message);
        }
    }

    static Object negate(Object v) {
        BigInteger i = asInt(v);
        if (i != null) {
            return i.negate();
        }
        Double f = asFloat(v);
        if (f != null) {
            return -f;
        }
        throw typeError("bad operand type for unary -: '" + typeName(v) + "'");
    }

    static Object plus(Object v) {
        BigInteger i = asInt(v);
        if (i != null) {
            return i;
        }
        Double f = asFloat(v);
        if (f != null) {
            return f;
        }
        throw typeError("bad operand type for unary +: '" + typeName(v) + "'");
    }

    /** {@code value[index]} for a str, list, tuple or dict. */
    static Object subscript(Object value, Object index) {
        if (value instanceof Map<?, ?> m) {
            Object key = findKey(m, index);
            if (key == NO_KEY) {
                throw new PyException("KeyError", repr(index));
            }
            return m.get(key);
        }
        List<Object> items = sequence(value);
        BigInteger i = asInt(index);
        if (i == null) {
            throw typeError(typeName(value) + " indices must be integers or slices, not " + typeName(index));
        }
        int size = items.size();
        long position = i.signum() < 0 ? i.longValue() + size : i.min(BigInteger.valueOf(size)).longValue();
        if (i.bitLength() > 62 || position < 0 || position >= size) {
            throw new PyException("IndexError", (asStr(value) != null ? "string" : typeName(value)) + " index out of range");
        }
        return items.get((int) position);
    }

    static Object slice(Object value, Object lower, Object upper, Object step) {
        List<Object> items = sequence(value);
        int size = items.size();
        int by = step == null ? 1 : sliceIndex(step, 0);
        if (by == 0) {
            throw valueError("slice step cannot be zero");
        }
        List<Object> out = new ArrayList<>();
        if (by > 0) {
            int from = clamp(lower == null ? 0 : sliceIndex(lower, size), size, 0);
            int to = clamp(upper == null ? size : sliceIndex(upper, size), size, 0);
            for (int i = from; i < to; i += by) {
                out.add(items.get(i));
            }
        } else {
            int from = clamp(lower == null ? size - 1 : sliceIndex(lower, size), size - 1, -1);
            int to = clamp(upper == null ? -1 : sliceIndex(upper, size), size - 1, -1);
            for (int i = from; i > to; i += by) {
                out.add(items.get(i));
            }
        }
        if (asStr(value) != null) {
            StringBuilder s = new StringBuilder();
            out.forEach(c -> s.append((String) c));
            return s.toString();
        }
        return value instanceof Tuple ? new Tuple(out) : out;
    }

    private static int sliceIndex(Object bound, int size) {
        BigInteger i = asInt(bound);
        if (i == null) {
            throw typeError("slice indices must be integers or None or have an __index__ method");
        }
        long v = i.max(BigInteger.valueOf(Integer.MIN_VALUE)).min(BigInteger.valueOf(Integer.MAX_VALUE)).longValue();
        return (int) Math.max(Integer.MIN_VALUE, v < 0 ? v + size : v);
    }

    private static int clamp(int index, int max, int min) {
        return Math.max(min, Math.min(index, max));
    }

    private static List<Object> sequence(Object value) {
        if (value instanceof Tuple || value instanceof List<?> || asStr(value) != null) {
            return iterate(value);
        }
        throw typeError("'" + typeName(value) + "' object is not subscriptable");
    }

    /** A fresh mutable dict for a dict literal or JSON object. */
    static Map<Object, Object> dict() {
        return new LinkedHashMap<>();
    }
}
