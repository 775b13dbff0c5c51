package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Tinybird's value testers ({@code datatypes.testers}), with their quirks kept: Python's {@code re.match} only
 * anchors at the start, so DateTime and DateTime64 accept any text after the time (a trailing {@code Z}, or a
 * fraction on a DateTime); {@code $} also matches before a final newline; {@code \d} matches any Unicode digit
 * and {@code .} any character but a newline.
 */
final class Validators {
    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES;
    private static final Pattern SIGNED = Pattern.compile("[+-]?\\d+\\n?", FLAGS);
    private static final Pattern UNSIGNED = Pattern.compile("\\d+\\n?", FLAGS);
    private static final Pattern DATE = Pattern.compile("\\d\\d\\d\\d-\\d\\d-\\d\\d\\n?", FLAGS);
    private static final List<Pattern> DATETIME = List.of(
            Pattern.compile("\\d\\d\\d\\d.\\d\\d.\\d\\d(T|\\s)\\d\\d:\\d\\d:\\d\\d", FLAGS),
            Pattern.compile("\\d\\d.\\d\\d.\\d\\d\\d\\d.\\d{1,2}:\\d{1,2}:\\d{1,2}", FLAGS));
    private static final List<Pattern> DATETIME64 = List.of(
            Pattern.compile("\\d\\d\\d\\d.\\d\\d.\\d\\d(T|\\s)\\d\\d:\\d\\d:\\d\\d.\\d\\d\\d", FLAGS),
            Pattern.compile("\\d\\d.\\d\\d.\\d\\d\\d\\d.\\d{1,2}:\\d{1,2}:\\d{1,2}.\\d{1,3}", FLAGS));
    private static final List<String> BOOL_VALUES = List.of("true", "false", "True", "False", "T", "F", "Y", "N",
            "Yes", "No", "On", "Off", "Enable", "Disable", "Enabled", "Disabled", "1", "0");

    private static final Map<String, Predicate<String>> TESTERS = Map.ofEntries(
            Map.entry("DateTime64", x -> DATETIME64.stream().anyMatch(p -> p.matcher(x).lookingAt())),
            Map.entry("DateTime", x -> DATETIME.stream().anyMatch(p -> p.matcher(x).lookingAt())),
            Map.entry("Date", x -> DATE.matcher(x).matches()),
            Map.entry("Int8", signed(7)), Map.entry("Int16", signed(15)), Map.entry("Int32", signed(31)),
            Map.entry("Int64", signed(63)), Map.entry("Int128", signed(127)), Map.entry("Int256", signed(255)),
            Map.entry("UInt8", unsigned(8, UNSIGNED)), Map.entry("UInt16", unsigned(16, UNSIGNED)),
            Map.entry("UInt32", unsigned(32, UNSIGNED)), Map.entry("UInt64", unsigned(64, UNSIGNED)),
            // Tinybird tests the two widest unsigned types with the signed pattern, so "+5" and "-0" pass.
            Map.entry("UInt128", unsigned(128, SIGNED)), Map.entry("UInt256", unsigned(256, SIGNED)),
            Map.entry("Float32", Validators::isFloat), Map.entry("Float64", Validators::isFloat),
            Map.entry("Bool", BOOL_VALUES::contains));

    private Validators() {
    }

    /** Whether Tinybird has a tester for this type name (e.g. Int32, but not Int, String or Boolean). */
    static boolean hasTester(String type) {
        return TESTERS.containsKey(type);
    }

    static boolean test(String type, String value) {
        return TESTERS.get(type).test(value);
    }

    private static Predicate<String> signed(int bits) {
        BigInteger limit = BigInteger.TWO.pow(bits);
        return x -> SIGNED.matcher(x).matches() && inRange(x, limit.negate(), limit);
    }

    private static Predicate<String> unsigned(int bits, Pattern pattern) {
        BigInteger limit = BigInteger.TWO.pow(bits);
        return x -> pattern.matcher(x).matches() && inRange(x, BigInteger.ZERO, limit);
    }

    /** {@code min <= int(x) < max}; the pattern already admitted only digits, so int() cannot fail. */
    private static boolean inRange(String x, BigInteger min, BigInteger max) {
        // A number far longer than the widest type cannot be in range; skip parsing it.
        if (x.length() > 100) {
            return false;
        }
        BigInteger value = Py.parseInt(x);
        return value.compareTo(min) >= 0 && value.compareTo(max) < 0;
    }

    private static boolean isFloat(String x) {
        if (x.contains("_")) {
            return false;
        }
        try {
            Py.parseFloat(x);
            return true;
        } catch (PyException e) {
            return false;
        }
    }
}
