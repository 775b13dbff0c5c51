package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tinybird's template functions ({@code sql_template.py}): the type functions, {@code Array}, {@code JSON},
 * {@code column(s)}, {@code symbol}, {@code sql_and}, {@code sql_unescape}, {@code split_to_array},
 * {@code enumerate_with_last}, the date differences, {@code error}, {@code custom_error}, {@code max_threads},
 * {@code cache_ttl} and {@code tb_secret}/{@code tb_var}, with Tinybird's rendering and error messages.
 * Where Tinybird would print a request value into the SQL unescaped, we refuse the value instead.
 */
final class Functions {
    static final String DOCUMENTATION = "/cli/advanced-templates.html";
    static final String REQUIRED_PARAM_NOT_DEFINED = "Required parameter is not defined";

    private static final String[] TYPE_PARAMETERS =
            {"x", "default", "defined", "required", "description", "enum", "example", "format"};
    private static final String[] ARRAY_PARAMETERS =
            {"x", "_type", "default", "defined", "required", "description", "enum", "example", "format"};
    private static final List<String> INTEGER_TYPES = List.of("Int8", "Int16", "Int32", "Int64", "Int128", "Int256",
            "UInt8", "UInt16", "UInt32", "UInt64", "UInt128", "UInt256");
    private static final List<String> CACHE_TTLS = List.of("5s", "1m", "5m", "30m", "1h");
    private static final Map<String, String> SQL_AND_OPERATORS =
            Map.of("in", "in", "not_in", "not in", "gt", ">", "lt", "<", "gte", ">=", "lte", "<=");
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final Py.Callable SYMBOL =
            Signature.of("symbol", 1, "x", "quote").callable(a -> symbol(a[0], Signature.get(a, 1, "`")));
    /** The functions Tinybird binds after the request parameters, so no parameter can shadow them. */
    private static final Map<String, Py.Callable> FIXED = fixedFunctions();
    /** Bound before the request parameters: a parameter of the same name shadows them, as on Tinybird. */
    private static final Map<String, Py.Callable> SHADOWABLE = Map.of(
            "column", Signature.of("column", 1, "x", "default").callable(a -> column(a[0], Signature.get(a, 1, null))),
            "symbol", SYMBOL,
            "error", Signature.of("error", 1, "s", "code").callable(a -> {
                throw new PyException("ValueError", Py.str(a[0]));
            }),
            "custom_error", Signature.of("custom_error", 1, "s", "code").callable(a -> {
                BigInteger code = Py.asInt(Signature.get(a, 1, BigInteger.valueOf(400)));
                throw PyException.custom(a[0], code == null ? 400 : code.intValue());
            }));

    private Functions() {
    }

    /** A function no request parameter can shadow, or null. */
    static Py.Callable fixed(String name) {
        return FIXED.get(name);
    }

    static Py.Callable shadowable(String name) {
        return SHADOWABLE.get(name);
    }

    /** {@code tb_secret(name, default)}: reads the secret through {@code secrets}; absent and without default, an error. */
    static Py.Callable tbSecret(UnaryOperator<String> secrets) {
        return Signature.of("set_tb_secret", 1, "x", "default").callable(a -> {
            String name = Py.asStr(a[0]);
            String cannotAccess = "Cannot access secret '" + Py.str(a[0])
                    + "'. Check the secret exists in the Workspace and the token has the required scope.";
            if (name == null) {
                throw PyException.template(cannotAccess, null);
            }
            String value = secrets.apply(name);
            if (value != null) {
                // Tinybird binds the secret as the query parameter {name: String}, unescaped; this literal reads the same.
                return new Py.SqlText(clickHouseLiteral(value));
            }
            Object fallback = Signature.get(a, 1, null);
            if (fallback != null) {
                return fallback;
            }
            throw PyException.template(cannotAccess, null);
        });
    }

    private static Map<String, Py.Callable> fixedFunctions() {
        Map<String, Py.Callable> functions = new HashMap<>();
        for (String type : INTEGER_TYPES) {
            functions.put(type, typeFunction(type, x -> new Py.TypedInt(Py.toInt(x), type)));
        }
        functions.put("Int", typeFunction("Int32", Py::toInt));
        functions.put("Integer", typeFunction("Int32", Py::toInt));
        functions.put("Float32", typeFunction("Float32", x -> new Py.TypedFloat(Py.toFloat(x), "Float32")));
        functions.put("Float64", typeFunction("Float64", x -> new Py.TypedFloat(Py.toFloat(x), "Float64")));
        for (String type : List.of("Date", "DateTime", "DateTime64", "String")) {
            functions.put(type, typeFunction(type, Py::str));
        }
        Py.Callable bool = Signature.of("boolean", 1, "x", "default").callable(a -> boolean_(a[0], Signature.get(a, 1, null)));
        functions.put("Boolean", bool);
        functions.put("bool", bool);
        functions.put("Symbol", SYMBOL);
        functions.put("Column", SYMBOL);
        functions.put("Array", Signature.of("_f", 1, ARRAY_PARAMETERS).callable(Functions::array));
        functions.put("JSON", Signature.of("json_type", 1, "x", "default").callable(a -> json(a[0], Signature.get(a, 1, null))));
        functions.put("columns", Signature.of("columns", 1, "x", "default", "fn")
                .callable(a -> columns(a[0], Signature.get(a, 1, null), Signature.get(a, 2, null))));
        functions.put("sql_and", Signature.variadic("_and").callable(a -> sqlAnd(keywords(a[1]))));
        functions.put("defined", Signature.of("defined", 0, "x").callable(a -> Signature.get(a, 0, null) != null));
        functions.put("enumerate_with_last", Signature.of("enumerate_with_last", 1, "arr").callable(a -> enumerateWithLast(a[0])));
        functions.put("split_to_array", Signature.of("split_to_array", 1, "x", "default", "separator")
                .callable(a -> splitToArray(a[0], Signature.get(a, 1, ""), Signature.get(a, 2, ","))));
        functions.put("day_diff", Signature.of("day_diff", 2, "d0", "d1", "default").callable(a -> dayDiff(a[0], a[1])));
        for (ChronoUnit unit : List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS)) {
            String name = "date_diff_in_" + unit.name().toLowerCase(Locale.ROOT);
            String defaultFormat = unit == ChronoUnit.DAYS ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S";
            functions.put(name, Signature.of(name, 2, "d0", "d1", "date_format", "default", "backup_date_format", "none_if_error")
                    .callable(a -> dateDiff(unit, a[0], a[1], Signature.get(a, 2, defaultFormat), Signature.get(a, 4, null),
                            Py.truthy(Signature.get(a, 5, false)))));
        }
        functions.put("sql_unescape", Signature.of("sql_unescape", 1, "x", "what").callable(a -> sqlUnescape(a[0], Signature.get(a, 1, ""))));
        functions.put("max_threads", Signature.of("set_max_threads", 1, "x").callable(a -> maxThreads(a[0])));
        functions.put("cache_ttl", Signature.of("set_cache_ttl", 1, "ttl_expression").callable(a -> cacheTtl(a[0])));
        return Map.copyOf(functions);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> keywords(Object extra) {
        return (Map<String, Object>) extra;
    }

    /**
     * Tinybird's {@code transform_type}: a missing value takes the default, or is an error unless
     * {@code defined=False}; then the value must pass the type's tester (String has none) before the transform.
     */
    private static Py.Callable typeFunction(String tester, Function<Object, Object> transform) {
        return Signature.of("_f", 1, TYPE_PARAMETERS).callable(a -> {
            Object x = a[0];
            if (x == null) {
                x = Signature.get(a, 1, null);
                if (x == null) {
                    if (Py.truthy(Signature.get(a, 2, true))) {
                        throw PyException.template(REQUIRED_PARAM_NOT_DEFINED, DOCUMENTATION);
                    }
                    return null;
                }
            }
            if (tester.equals("String") || Validators.test(tester, Py.str(x))) {
                return transform.apply(x);
            }
            throw PyException.template("Error validating '" + Py.str(x) + "' to type " + tester, DOCUMENTATION);
        });
    }

    /** ClickHouse has no boolean literal Tinybird uses; 0 only for "0" and "false" in any case, else truthiness. */
    private static Object boolean_(Object x, Object fallback) {
        if (x == null) {
            return fallback == null ? BigInteger.ZERO : boolean_(fallback, null);
        }
        String s = Py.asStr(x);
        if (s != null && (s.equals("0") || s.toLowerCase(Locale.ROOT).equals("false"))) {
            return BigInteger.ZERO;
        }
        return Py.truthy(x) ? BigInteger.ONE : BigInteger.ZERO;
    }

    /** The element functions of {@code Array(x, type)}: like the type functions, but integers and floats print bare. */
    private static Object arrayElement(String type, Object element) {
        List<Object> args = new ArrayList<>(List.of(element));
        if (INTEGER_TYPES.contains(type) || type.equals("Int") || type.equals("Integer")) {
            String tester = INTEGER_TYPES.contains(type) ? type : "Int32";
            return typeFunction(tester, Py::toInt).call(args, Map.of());
        }
        return switch (type) {
            case "Float32", "Float64" -> typeFunction(type, Py::toFloat).call(args, Map.of());
            case "Date", "DateTime", "DateTime64", "String" -> typeFunction(type, Py::str).call(args, Map.of());
            case "Boolean", "bool" -> boolean_(element, null);
            case "Symbol", "Column" -> symbol(element, "`");
            // Tinybird has a "Bool" tester but no "Bool" function: the lookup fails.
            case "Bool" -> throw new PyException("KeyError", "'Bool'");
            default -> element;
        };
    }

    private static Object array(Object[] a) {
        Object x = a[0];
        Object typeArgument = Signature.get(a, 1, null);
        String type = Py.asStr(typeArgument);
        if (x == null) {
            x = Signature.get(a, 2, null);
            if (x == null) {
                if (Py.truthy(Signature.get(a, 3, true))) {
                    throw PyException.template(REQUIRED_PARAM_NOT_DEFINED, DOCUMENTATION);
                }
                return null;
            }
        }
        List<Object> items;
        if (x instanceof List<?> list) {
            items = new ArrayList<>(list);
        } else if (Py.asStr(x) != null) {
            items = Builtins.split(Py.asStr(x), ",", BigInteger.ONE.negate());
        } else {
            throw PyException.template("transform type function Array is not well defined", DOCUMENTATION);
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            String text = Py.str(item);
            if (type != null && Validators.hasTester(type) && !Validators.test(type, text)) {
                throw PyException.template("Error validating [" + Py.str(x) + "][" + i + "] ("
                        + (text.isEmpty() && Py.asStr(item) != null ? "empty string" : text) + ") to type " + type, DOCUMENTATION);
            }
            values.add(wrap(type == null ? item : arrayElement(type, item), text));
        }
        return new Py.SqlText("[" + String.join(",", values) + "]");
    }

    /**
     * The Python list that Tinybird's {@code ast.literal_eval} reads back from {@code Array(value, type)}, or
     * empty when the value is invalid or the rendering is not a literal.
     */
    static Optional<Object> arrayValues(String value, String type) {
        try {
            Object[] bound = {value, type, Signature.REQUIRED, Signature.REQUIRED, Signature.REQUIRED,
                    Signature.REQUIRED, Signature.REQUIRED, Signature.REQUIRED, Signature.REQUIRED, List.of(), Map.of()};
            String rendered = Py.str(array(bound));
            if (ExpressionParser.parse(rendered, 1) instanceof Expr.ListExpr list
                    && list.elts().stream().allMatch(e -> e instanceof Expr.Const)) {
                List<Object> values = new ArrayList<>();
                list.elts().forEach(e -> values.add(((Expr.Const) e).value()));
                return Optional.of(values);
            }
        } catch (PyException | TemplateSyntaxException e) {
            // Tinybird skips a value it cannot convert; the template then sees the text.
        }
        return Optional.empty();
    }

    private static Object json(Object x, Object fallback) {
        if (x == null) {
            x = Py.asStr(fallback) != null ? fallback : "{}";
        }
        String text = Py.asStr(x);
        if (text == null) {
            return x;
        }
        try {
            return Json.parse(text);
        } catch (Json.JsonError e) {
            String excerpt = text.length() > 16 ? text.substring(0, 16) + "..." : text;
            throw PyException.template("Error parsing JSON: '" + excerpt + "' - " + e.getMessage(), null);
        }
    }

    private static Object column(Object x, Object fallback) {
        if (x == null) {
            if (fallback == null) {
                throw PyException.template("Missing column() default value, use `column(column_name, 'default_column_name')`",
                        DOCUMENTATION + "#column");
            }
            x = fallback;
        }
        String name = requireTranslatable(x);
        List<String> parts = new ArrayList<>();
        for (Object part : Builtins.split(name, ".", BigInteger.ONE.negate())) {
            parts.add("`" + escapeIdentifier((String) part) + "`");
        }
        return new Py.Symbol(String.join(".", parts));
    }

    private static Object symbol(Object x, Object quote) {
        String name = requireTranslatable(x);
        String q = Py.str(quote);
        // Tinybird prints the quote as given; only quotes that the escaping neutralises keep the identifier closed.
        if (!q.equals("`") && !q.equals("\"")) {
            throw PyException.template("symbol() quote must be ` or \", not " + Py.strRepr(q), DOCUMENTATION);
        }
        return new Py.Symbol(q + escapeIdentifier(name) + q);
    }

    private static Object columns(Object x, Object fallback, Object function) {
        if (x == null) {
            if (fallback == null) {
                throw PyException.template("Missing columns() default value, use `columns(column_names, 'default_column_name')`",
                        DOCUMENTATION + "#columns");
            }
            x = fallback;
        }
        String names = Py.asStr(x);
        if (names == null) {
            throw PyException.template("The 'columns' function expects a String not an Array", DOCUMENTATION + "#columns");
        }
        String fn = Py.truthy(function) ? Py.str(function) : null;
        if (fn != null && !PLAIN_IDENTIFIER.matcher(fn).matches()) {
            throw PyException.template("columns() fn must be a function name, not " + Py.strRepr(fn), DOCUMENTATION + "#columns");
        }
        List<String> rendered = new ArrayList<>();
        for (Object part : Builtins.split(names, ",", BigInteger.ONE.negate())) {
            String name = Builtins.strip((String) part, null);
            String quoted = Py.str(column(name, name));
            // Tinybird writes the alias unquoted; we quote it when it is not a plain identifier, so it cannot carry SQL.
            String alias = PLAIN_IDENTIFIER.matcher(name).matches() ? name : quoted;
            rendered.add(fn == null ? quoted : fn + "(" + quoted + ") as " + alias);
        }
        return new Py.SqlText(String.join(",", rendered));
    }

    private static Object sqlAnd(Map<String, Object> conditions) {
        List<String> parts = new ArrayList<>();
        conditions.forEach((key, value) -> {
            if (value == null) {
                return;
            }
            int split = key.lastIndexOf("__");
            String operator = "=";
            if (split >= 0) {
                operator = SQL_AND_OPERATORS.get(key.substring(split + 2));
                if (operator == null) {
                    throw PyException.template("operand " + key.substring(split + 2) + " not supported",
                            DOCUMENTATION + "#sql_and");
                }
            }
            parts.add((split >= 0 ? key.substring(0, split) : key) + " " + operator + " " + wrap(value, key));
        });
        return new Py.SqlText(String.join(" and ", parts));
    }

    private static Object enumerateWithLast(Object items) {
        List<Object> all = Py.iterate(items);
        List<Object> pairs = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            pairs.add(new Py.Tuple(List.of(i == all.size() - 1, all.get(i))));
        }
        return pairs;
    }

    private static Object splitToArray(Object x, Object fallback, Object separator) {
        Object value = x == null ? fallback : x;
        String text = Py.asStr(value);
        if (text == null) {
            throw PyException.template("First argument of split_to_array has to be a value that can be split to a list of "
                    + "elements, but found a PlaceHolder with no value instead", DOCUMENTATION + "#split_to_array");
        }
        List<Object> parts = new ArrayList<>();
        for (Object part : Builtins.split(text, separator, BigInteger.ONE.negate())) {
            parts.add(Builtins.strip((String) part, null));
        }
        return parts;
    }

    private static Object dayDiff(Object d0, Object d1) {
        try {
            return dateDiff(ChronoUnit.DAYS, d0, d1, "%Y-%m-%d", null, false);
        } catch (PyException e) {
            throw PyException.template("invalid date format in function `day_diff`, it must be ISO format date YYYY-MM-DD, "
                    + "e.g. 2018-09-26. For other fotmats, try `date_diff_in_days`", DOCUMENTATION + "#date_diff_in_days");
        }
    }

    private static Object dateDiff(ChronoUnit unit, Object d0, Object d1, Object format, Object backupFormat, boolean noneIfError) {
        LocalDateTime from;
        LocalDateTime to;
        try {
            from = strptime(d0, format, backupFormat);
            to = strptime(d1, format, backupFormat);
        } catch (IllegalArgumentException | DateTimeException e) {
            if (noneIfError) {
                return null;
            }
            String name = unit == ChronoUnit.MINUTES ? "seconds" : unit.name().toLowerCase(Locale.ROOT);
            // Tinybird's message for minutes names date_diff_in_seconds; kept as it is.
            String message = unit == ChronoUnit.DAYS
                    ? "invalid date format in function `date_diff_in_days`, it must be ISO format date YYYY-MM-DD, e.g. 2018-09-26"
                    : "invalid date_format in function `date_diff_in_" + name + "`, defaults to YYYY-MM-DD hh:mm:ss. Or "
                            + "%Y-%m-%d %H:%M:%S [.ssssss]Z, e.g. ms: 2022-12-19T18:42:22.591Z s:2022-12-19T18:42:22Z";
            throw PyException.template(message, DOCUMENTATION + "#date_diff_in_" + unit.name().toLowerCase(Locale.ROOT));
        }
        long micros = Math.abs(ChronoUnit.MICROS.between(from, to));
        long perUnit = switch (unit) {
            case DAYS -> 86_400_000_000L;
            case HOURS -> 3_600_000_000L;
            case MINUTES -> 60_000_000L;
            default -> 1_000_000L;
        };
        return BigInteger.valueOf(micros / perUnit);
    }

    /** Python's {@code datetime.strptime} for %Y %m %d %H %M %S %f and literals (matched ignoring case). */
    private static LocalDateTime strptime(Object value, Object format, Object backupFormat) {
        String text = Py.asStr(value);
        if (text == null) {
            throw new IllegalArgumentException("strptime() argument 1 must be str");
        }
        List<Object> formats = backupFormat == null ? List.of(format) : List.of(format, backupFormat);
        for (Object candidate : formats) {
            Matcher m = strptimePattern(Py.str(candidate)).matcher(text);
            if (m.matches()) {
                String fraction = group(m, "f", "0");
                return LocalDateTime.of(Integer.parseInt(group(m, "Y", "1900")), Integer.parseInt(group(m, "m", "1")),
                        Integer.parseInt(group(m, "d", "1")), Integer.parseInt(group(m, "H", "0")),
                        Integer.parseInt(group(m, "M", "0")), Integer.parseInt(group(m, "S", "0")),
                        Integer.parseInt((fraction + "00000").substring(0, 6)) * 1000);
            }
        }
        throw new IllegalArgumentException("time data does not match format");
    }

    private static String group(Matcher m, String name, String fallback) {
        try {
            String value = m.group(name);
            return value == null ? fallback : value.strip();
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static Pattern strptimePattern(String format) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c == '%' && i + 1 < format.length()) {
                char directive = format.charAt(++i);
                regex.append(switch (directive) {
                    case 'Y' -> "(?<Y>\\d\\d\\d\\d)";
                    case 'm' -> "(?<m>1[0-2]|0[1-9]|[1-9])";
                    case 'd' -> "(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])";
                    case 'H' -> "(?<H>2[0-3]|[0-1]\\d|\\d)";
                    case 'M' -> "(?<M>[0-5]\\d|\\d)";
                    case 'S' -> "(?<S>6[0-1]|[0-5]\\d|\\d)";
                    case 'f' -> "(?<f>[0-9]{1,6})";
                    case '%' -> "%";
                    default -> throw new IllegalArgumentException("unsupported strptime directive %" + directive);
                });
            } else if (Character.isWhitespace(c)) {
                regex.append("\\s+");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    private static Object sqlUnescape(Object x, Object what) {
        String value = requireTranslatable(x);
        String unescaped = Py.str(what);
        // Tinybird would also unescape quotes and backslashes, letting the value close the literal: refused.
        if (unescaped.isEmpty() || unescaped.contains("'") || unescaped.contains("\\")) {
            throw PyException.template("sql_unescape() cannot unescape " + Py.strRepr(unescaped)
                    + ": the value could end the string literal", DOCUMENTATION);
        }
        return new Py.SqlText("'" + escapeString(value).replace("\\" + unescaped, unescaped) + "'");
    }

    private static Object maxThreads(Object x) {
        try {
            Py.toInt(x);
            return new Py.SqlText("-- max_threads " + Py.str(x) + "\n");
        } catch (PyException e) {
            // Tinybird prints the raw argument into this comment; a line break in it would end the comment.
            return new Py.SqlText("-- max_threads: wrong argument " + Py.str(x).replaceAll("[\\r\\n]", " ") + "\n");
        }
    }

    private static Object cacheTtl(Object expression) {
        if (CACHE_TTLS.stream().noneMatch(ttl -> Py.equal(ttl, expression))) {
            throw PyException.template("Invalid TTL cache expression, valid expressions are ('5s', '1m', '5m', '30m', '1h')", null);
        }
        return new Py.SqlText("-- cache_ttl " + Py.str(expression) + "\n");
    }

    /** Tinybird's sqlescape works on str only; anything else fails as Python's str.translate lookup would. */
    private static String requireTranslatable(Object x) {
        String s = Py.asStr(x);
        if (s == null) {
            throw new PyException("AttributeError", "'" + Py.typeName(x) + "' object has no attribute 'translate'");
        }
        return s;
    }

    /**
     * Tinybird's {@code expression_wrapper}, applied to every {@code {{ }}}: a plain str becomes an escaped string
     * literal, None an error naming the expression, anything else its Python str().
     */
    static String wrap(Object value, String source) {
        if (value instanceof String s) {
            return "'" + escapeString(s) + "'";
        }
        if (value == null) {
            String name = source.length() > 20 ? source.substring(0, 20) + "..." : source;
            throw PyException.template("expression \"" + name + "\" evaluated to null", DOCUMENTATION);
        }
        return Py.str(value);
    }

    /** A ClickHouse string literal that reads back as exactly {@code value} (unlike Tinybird's escaping of %). */
    private static String clickHouseLiteral(String value) {
        StringBuilder out = new StringBuilder("'");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\0' -> out.append("\\0");
                default -> out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** Tinybird's {@code sqlescape_for_string_expression}: the characters it escapes and how. */
    static String escapeString(String value) {
        return escape(value, "\\\"");
    }

    /** Tinybird's {@code sqlescape}, used in identifiers: the same, but a double quote is dropped. */
    static String escapeIdentifier(String value) {
        return escape(value, "");
    }

    private static String escape(String value, String doubleQuote) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\0' -> out.append("\\0");
                case '\r' -> out.append("\\r");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\u001a' -> out.append("\\z");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(doubleQuote);
                case '\'' -> out.append("\\'");
                case '\\' -> out.append("\\\\");
                case '%' -> out.append("\\%");
                case '`' -> out.append("\\`");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
