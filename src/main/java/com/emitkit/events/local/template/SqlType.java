package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The scalar type functions: each validates a raw request value and renders it as ClickHouse SQL that
 * contains nothing of the value but digits, or a fully escaped string literal.
 */
enum SqlType {
    STRING("String", Kind.STRING),
    INT8("Int8", 8, true),
    INT16("Int16", 16, true),
    INT32("Int32", 32, true),
    INT64("Int64", 64, true),
    INT128("Int128", 128, true),
    INT256("Int256", 256, true),
    UINT8("UInt8", 8, false),
    UINT16("UInt16", 16, false),
    UINT32("UInt32", 32, false),
    UINT64("UInt64", 64, false),
    UINT128("UInt128", 128, false),
    UINT256("UInt256", 256, false),
    /** Tinybird's untyped integers: Int64 range, rendered as a bare number (negatives in parentheses). */
    INT("Int", 64, true),
    INTEGER("Integer", 64, true),
    FLOAT32("Float32", Kind.FLOAT),
    FLOAT64("Float64", Kind.FLOAT),
    BOOLEAN("Boolean", Kind.BOOLEAN),
    DATE("Date", Kind.DATE),
    DATETIME("DateTime", Kind.DATETIME),
    DATETIME64("DateTime64", Kind.DATETIME);

    private enum Kind { STRING, INTEGER, FLOAT, BOOLEAN, DATE, DATETIME }

    private static final Map<String, SqlType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.sqlName, Function.identity()));
    // Longer than any valid number (Int256 has 78 digits); also keeps BigInteger parsing cheap.
    private static final int MAX_NUMBER_CHARS = 100;
    private static final Pattern INTEGER_TEXT = Pattern.compile("-?[0-9]+");
    private static final Pattern FLOAT_TEXT = Pattern.compile("-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern DATE_TEXT = Pattern.compile("([0-9]{4})-([0-9]{2})-([0-9]{2})");
    private static final Pattern DATETIME_TEXT =
            Pattern.compile("([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]{1,6}))?");
    // Beyond the 64-bit range some ClickHouse versions read an integer literal as Float64, losing precision;
    // a string argument to toInt128() and the like is always exact.
    private static final BigInteger BARE_LITERAL_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger BARE_LITERAL_MAX = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);

    private final String sqlName;
    private final Kind kind;
    private final BigInteger min;
    private final BigInteger max;

    SqlType(String sqlName, Kind kind) {
        this.sqlName = sqlName;
        this.kind = kind;
        this.min = null;
        this.max = null;
    }

    SqlType(String sqlName, int bits, boolean signed) {
        this.sqlName = sqlName;
        this.kind = Kind.INTEGER;
        this.min = signed ? BigInteger.TWO.pow(bits - 1).negate() : BigInteger.ZERO;
        this.max = (signed ? BigInteger.TWO.pow(bits - 1) : BigInteger.TWO.pow(bits)).subtract(BigInteger.ONE);
    }

    static Optional<SqlType> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The value as a Java object for {@code {% if %}}: BigInteger, Double, Boolean, String, LocalDate or LocalDateTime. */
    Object parse(String raw) {
        return switch (kind) {
            case STRING -> raw;
            case INTEGER -> parseInteger(raw);
            case FLOAT -> parseFloat(raw);
            case BOOLEAN -> parseBoolean(raw);
            case DATE -> parseDate(raw);
            case DATETIME -> parseDateTime(raw);
        };
    }

    String toSql(String raw) {
        Object value = parse(raw);
        return switch (kind) {
            case STRING -> quote(raw);
            case INTEGER -> integerToSql((BigInteger) value);
            case FLOAT -> "to" + sqlName + "(" + value + ")";
            case BOOLEAN -> (Boolean) value ? "1" : "0";
            // The pattern admitted only digits and separators, so the text can be reused as is.
            case DATE, DATETIME -> "'" + raw.replace('T', ' ') + "'";
        };
    }

    /**
     * A ClickHouse string literal that reads back as exactly {@code value}. Only backslash and quote must be
     * escaped; control characters that would make the SQL hard to read or log are escaped too.
     */
    private static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\0' -> out.append("\\0");
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    private String integerToSql(BigInteger value) {
        if (this == INT || this == INTEGER) {
            // Parenthesised so that a template like "a -{{ Int(x) }}" cannot turn into the comment "a --1".
            return value.signum() < 0 ? "(" + value + ")" : value.toString();
        }
        boolean bare = value.compareTo(BARE_LITERAL_MIN) >= 0 && value.compareTo(BARE_LITERAL_MAX) <= 0;
        return "to" + sqlName + (bare ? "(" + value + ")" : "('" + value + "')");
    }

    private BigInteger parseInteger(String raw) {
        if (raw.length() > MAX_NUMBER_CHARS || !INTEGER_TEXT.matcher(raw).matches()) {
            throw invalid(raw);
        }
        BigInteger value = new BigInteger(raw);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw invalid(raw);
        }
        return value;
    }

    private Double parseFloat(String raw) {
        if (raw.length() > MAX_NUMBER_CHARS || !FLOAT_TEXT.matcher(raw).matches()) {
            throw invalid(raw);
        }
        double value = Double.parseDouble(raw);
        double limit = this == FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
        if (!Double.isFinite(value) || Math.abs(value) > limit) {
            throw invalid(raw);
        }
        return value;
    }

    private Boolean parseBoolean(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw invalid(raw);
        };
    }

    private LocalDate parseDate(String raw) {
        Matcher m = DATE_TEXT.matcher(raw);
        if (!m.matches()) {
            throw invalid(raw);
        }
        try {
            return LocalDate.of(group(m, 1), group(m, 2), group(m, 3));
        } catch (DateTimeException e) {
            throw invalid(raw);
        }
    }

    private LocalDateTime parseDateTime(String raw) {
        Matcher m = DATETIME_TEXT.matcher(raw);
        if (!m.matches() || (this == DATETIME && m.group(7) != null)) {
            throw invalid(raw);
        }
        int nanos = m.group(7) == null ? 0 : Integer.parseInt((m.group(7) + "00000").substring(0, 6)) * 1000;
        try {
            return LocalDateTime.of(group(m, 1), group(m, 2), group(m, 3), group(m, 4), group(m, 5), group(m, 6), nanos);
        } catch (DateTimeException e) {
            throw invalid(raw);
        }
    }

    private static int group(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    private TemplateParameterException invalid(String raw) {
        return new TemplateParameterException(
                "Error validating '" + TemplateParameterException.excerpt(raw) + "' to type " + sqlName);
    }
}
