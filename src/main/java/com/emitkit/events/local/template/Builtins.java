package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The Python built-ins Tinybird's sandbox leaves to templates that we evaluate ({@code len}, {@code min},
 * {@code max}, {@code int}, {@code float}, {@code str}, {@code list}, {@code tuple}, {@code sum},
 * {@code range}, {@code enumerate}, {@code sorted}, {@code abs}, the exception classes) and the common methods
 * of str, list and dict.
 */
final class Builtins {
    // range() must not let a request build a huge list.
    private static final int MAX_RANGE = 100_000;
    private static final Set<String> EXCEPTION_CLASSES = Set.of("BaseException", "Exception", "ValueError",
            "TypeError", "KeyError", "IndexError", "LookupError", "AttributeError", "NameError", "ZeroDivisionError",
            "ArithmeticError");

    private static final Map<String, Py.Callable> FUNCTIONS = Map.ofEntries(
            function(Signature.of("len", 1, "obj"), a -> BigInteger.valueOf(Py.len(a[0]))),
            function(Signature.variadic("min"), a -> extreme("min", a, -1)),
            function(Signature.variadic("max"), a -> extreme("max", a, 1)),
            function(Signature.of("int", 0, "x", "base"), Builtins::toInt),
            function(Signature.of("float", 0, "x"), a -> Signature.isSet(a, 0) ? Py.toFloat(a[0]) : 0.0),
            function(Signature.of("str", 0, "object"), a -> Signature.isSet(a, 0) ? Py.str(a[0]) : ""),
            function(Signature.of("list", 0, "iterable"), a -> Signature.isSet(a, 0) ? Py.iterate(a[0]) : new ArrayList<>()),
            function(Signature.of("tuple", 0, "iterable"),
                    a -> new Py.Tuple(Signature.isSet(a, 0) ? Py.iterate(a[0]) : List.of())),
            function(Signature.of("sum", 1, "iterable", "start"), Builtins::sum),
            function(Signature.of("range", 1, "start", "stop", "step"), Builtins::range),
            function(Signature.of("enumerate", 1, "iterable", "start"), Builtins::enumerate),
            function(Signature.of("sorted", 1, "iterable", "reverse"), Builtins::sorted),
            function(Signature.of("abs", 1, "x"), a -> Py.asFloat(a[0]) != null ? (Object) Math.abs(Py.asFloat(a[0]))
                    : requireInt(a[0], "abs").abs()));

    private Builtins() {
    }

    private static Map.Entry<String, Py.Callable> function(Signature signature, Function<Object[], Object> body) {
        return Map.entry(signature.function(), signature.callable(body));
    }

    /** The built-in bound to {@code name}, or null. */
    static Object lookup(String name) {
        Py.Callable function = FUNCTIONS.get(name);
        if (function != null) {
            return function;
        }
        return EXCEPTION_CLASSES.contains(name) ? new Py.ExceptionClass(name) : null;
    }

    private static BigInteger requireInt(Object v, String function) {
        BigInteger i = Py.asInt(v);
        if (i == null) {
            throw Py.typeError("bad operand type for " + function + "(): '" + Py.typeName(v) + "'");
        }
        return i;
    }

    private static Object toInt(Object[] a) {
        if (!Signature.isSet(a, 0)) {
            return BigInteger.ZERO;
        }
        if (!Signature.isSet(a, 1)) {
            return Py.toInt(a[0]);
        }
        String text = Py.asStr(a[0]);
        if (text == null) {
            throw Py.typeError("int() can't convert non-string with explicit base");
        }
        int base = requireInt(a[1], "int").intValue();
        try {
            return new BigInteger(strip(text, null).replace("_", ""), base);
        } catch (NumberFormatException e) {
            throw Py.valueError("invalid literal for int() with base " + base + ": " + Py.strRepr(text));
        }
    }

    private static Object extreme(String function, Object[] a, int sign) {
        @SuppressWarnings("unchecked")
        List<Object> args = (List<Object>) a[0];
        if (!((Map<?, ?>) a[1]).isEmpty()) {
            throw Py.typeError(function + "() keyword arguments are not supported here");
        }
        List<Object> items = args.size() == 1 ? Py.iterate(args.getFirst()) : args;
        if (args.isEmpty()) {
            throw Py.typeError(function + " expected at least 1 argument, got 0");
        }
        if (items.isEmpty()) {
            throw Py.valueError(function + "() iterable argument is empty");
        }
        Object best = items.getFirst();
        for (Object item : items.subList(1, items.size())) {
            if (Py.order(item, best, sign > 0 ? ">" : "<") * sign > 0) {
                best = item;
            }
        }
        return best;
    }

    private static Object sum(Object[] a) {
        Object total = Signature.get(a, 1, BigInteger.ZERO);
        if (Py.asStr(total) != null) {
            throw Py.typeError("sum() can't sum strings [use ''.join(seq) instead]");
        }
        for (Object item : Py.iterate(a[0])) {
            total = Py.binary(total, "+", item);
        }
        return total;
    }

    private static Object range(Object[] a) {
        BigInteger start = Signature.isSet(a, 1) ? requireInt(a[0], "range") : BigInteger.ZERO;
        BigInteger stop = requireInt(Signature.isSet(a, 1) ? a[1] : a[0], "range");
        BigInteger step = Signature.isSet(a, 2) ? requireInt(a[2], "range") : BigInteger.ONE;
        if (step.signum() == 0) {
            throw Py.valueError("range() arg 3 must not be zero");
        }
        List<Object> items = new ArrayList<>();
        for (BigInteger i = start; step.signum() > 0 ? i.compareTo(stop) < 0 : i.compareTo(stop) > 0; i = i.add(step)) {
            if (items.size() == MAX_RANGE) {
                throw new PyException("MemoryError", "range() longer than " + MAX_RANGE + " items");
            }
            items.add(i);
        }
        return items;
    }

    private static Object enumerate(Object[] a) {
        BigInteger index = Signature.isSet(a, 1) ? requireInt(a[1], "enumerate") : BigInteger.ZERO;
        List<Object> pairs = new ArrayList<>();
        for (Object item : Py.iterate(a[0])) {
            pairs.add(new Py.Tuple(List.of(index, item)));
            index = index.add(BigInteger.ONE);
        }
        return pairs;
    }

    private static Object sorted(Object[] a) {
        List<Object> items = Py.iterate(a[0]);
        Comparator<Object> order = (x, y) -> Py.equal(x, y) ? 0 : Py.order(x, y, "<");
        items.sort(Py.truthy(Signature.get(a, 1, false)) ? order.reversed() : order);
        return items;
    }

    private static final Set<String> STRING_METHODS = Set.of("split", "strip", "lstrip", "rstrip", "lower", "upper",
            "title", "capitalize", "startswith", "endswith", "replace", "join", "find", "count", "isdigit", "isalpha",
            "isalnum");
    private static final Set<String> LIST_METHODS = Set.of("append", "index", "count");
    private static final Set<String> TUPLE_METHODS = Set.of("index", "count");
    private static final Set<String> DICT_METHODS = Set.of("get", "keys", "values", "items");

    /** Whether any value we evaluate has a method of this name. */
    static boolean isMethod(String name) {
        return STRING_METHODS.contains(name) || LIST_METHODS.contains(name) || DICT_METHODS.contains(name);
    }

    /** Whether values of this kind have method {@code name}. */
    static boolean hasMethod(Object self, String name) {
        if (Py.asStr(self) != null) {
            return STRING_METHODS.contains(name);
        }
        return switch (self) {
            case Py.Tuple t -> TUPLE_METHODS.contains(name);
            case List<?> l -> LIST_METHODS.contains(name);
            case Map<?, ?> m -> DICT_METHODS.contains(name);
            case null, default -> false;
        };
    }

    @SuppressWarnings("unchecked")
    static Object callMethod(Object self, String name, List<Object> args, Map<String, Object> kwargs) {
        String s = Py.asStr(self);
        if (s != null) {
            return stringMethod(s, name, args, kwargs);
        }
        return switch (name) {
            case "append" -> {
                Object[] a = Signature.of("append", 1, "object").bind(args, kwargs);
                ((List<Object>) self).add(a[0]);
                yield null;
            }
            case "index" -> {
                Object[] a = Signature.of("index", 1, "value").bind(args, kwargs);
                List<Object> items = Py.iterate(self);
                for (int i = 0; i < items.size(); i++) {
                    if (Py.equal(items.get(i), a[0])) {
                        yield BigInteger.valueOf(i);
                    }
                }
                throw Py.valueError(Py.repr(a[0]) + " is not in list");
            }
            case "count" -> {
                Object[] a = Signature.of("count", 1, "value").bind(args, kwargs);
                yield BigInteger.valueOf(Py.iterate(self).stream().filter(item -> Py.equal(item, a[0])).count());
            }
            case "get" -> {
                Object[] a = Signature.of("get", 1, "key", "default").bind(args, kwargs);
                Map<Object, Object> map = (Map<Object, Object>) self;
                yield Py.hasKey(map, a[0]) ? Py.getKey(map, a[0]) : Signature.get(a, 1, null);
            }
            case "keys" -> {
                Signature.of("keys", 0).bind(args, kwargs);
                yield new ArrayList<>(((Map<Object, Object>) self).keySet());
            }
            case "values" -> {
                Signature.of("values", 0).bind(args, kwargs);
                yield new ArrayList<>(((Map<Object, Object>) self).values());
            }
            default -> {
                Signature.of("items", 0).bind(args, kwargs);
                List<Object> items = new ArrayList<>();
                ((Map<Object, Object>) self).forEach((k, v) -> items.add(new Py.Tuple(List.of(k, v))));
                yield items;
            }
        };
    }

    private static Object stringMethod(String s, String name, List<Object> args, Map<String, Object> kwargs) {
        return switch (name) {
            case "split" -> {
                Object[] a = Signature.of("split", 0, "sep", "maxsplit").bind(args, kwargs);
                yield split(s, Signature.get(a, 0, null), Signature.get(a, 1, BigInteger.ONE.negate()));
            }
            case "strip", "lstrip", "rstrip" -> {
                Object[] a = Signature.of(name, 0, "chars").bind(args, kwargs);
                String chars = stringArgument(Signature.get(a, 0, null), name, true);
                yield name.equals("strip") ? strip(s, chars) : name.equals("lstrip") ? stripStart(s, chars) : stripEnd(s, chars);
            }
            case "lower", "upper", "title", "capitalize", "isdigit", "isalpha", "isalnum" -> {
                Signature.of(name, 0).bind(args, kwargs);
                yield switch (name) {
                    case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
                    case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
                    case "title" -> title(s);
                    case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                            + s.substring(1).toLowerCase(java.util.Locale.ROOT);
                    case "isdigit" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
                    case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
                    default -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
                };
            }
            case "startswith", "endswith" -> {
                Object[] a = Signature.of(name, 1, "prefix").bind(args, kwargs);
                List<Object> options = a[0] instanceof Py.Tuple t ? t.items() : List.of(a[0]);
                boolean result = false;
                for (Object option : options) {
                    String text = stringArgument(option, name, false);
                    result |= name.equals("startswith") ? s.startsWith(text) : s.endsWith(text);
                }
                yield result;
            }
            case "replace" -> {
                Object[] a = Signature.of("replace", 2, "old", "new", "count").bind(args, kwargs);
                String old = stringArgument(a[0], "replace", false);
                String replacement = stringArgument(a[1], "replace", false);
                int count = Signature.isSet(a, 2) ? requireInt(a[2], "replace").intValue() : -1;
                yield replace(s, old, replacement, count);
            }
            case "join" -> {
                Object[] a = Signature.of("join", 1, "iterable").bind(args, kwargs);
                List<String> parts = new ArrayList<>();
                List<Object> items = Py.iterate(a[0]);
                for (int i = 0; i < items.size(); i++) {
                    String part = Py.asStr(items.get(i));
                    if (part == null) {
                        throw Py.typeError("sequence item " + i + ": expected str instance, " + Py.typeName(items.get(i)) + " found");
                    }
                    parts.add(part);
                }
                yield String.join(s, parts);
            }
            case "find" -> {
                Object[] a = Signature.of("find", 1, "sub").bind(args, kwargs);
                int at = s.indexOf(stringArgument(a[0], "find", false));
                yield BigInteger.valueOf(at < 0 ? -1 : s.codePointCount(0, at));
            }
            default -> {
                Object[] a = Signature.of("count", 1, "sub").bind(args, kwargs);
                String sub = stringArgument(a[0], "count", false);
                if (sub.isEmpty()) {
                    yield BigInteger.valueOf(Py.len(s) + 1L);
                }
                int count = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    count++;
                }
                yield BigInteger.valueOf(count);
            }
        };
    }

    private static String stringArgument(Object v, String method, boolean noneAllowed) {
        if (v == null && noneAllowed) {
            return null;
        }
        String s = Py.asStr(v);
        if (s == null) {
            throw Py.typeError(method + "() argument must be str, not " + Py.typeName(v));
        }
        return s;
    }

    /** Python's {@code str.split}: by a separator, or by runs of whitespace when it is None. */
    static List<Object> split(String s, Object separator, Object maxSplit) {
        int max = requireInt(maxSplit, "split").intValue();
        List<Object> parts = new ArrayList<>();
        if (separator == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    return parts;
                }
                if (max >= 0 && parts.size() == max) {
                    parts.add(stripEnd(s.substring(i), null));
                    return parts;
                }
                int start = i;
                while (i < s.length() && !isSpace(s.charAt(i))) {
                    i++;
                }
                parts.add(s.substring(start, i));
            }
        }
        String sep = stringArgument(separator, "split", false);
        if (sep.isEmpty()) {
            throw Py.valueError("empty separator");
        }
        int start = 0;
        for (int at = s.indexOf(sep); at >= 0 && (max < 0 || parts.size() < max); at = s.indexOf(sep, start)) {
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** Python's str.isspace for one character. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    static String strip(String s, String chars) {
        return stripEnd(stripStart(s, chars), chars);
    }

    private static String stripStart(String s, String chars) {
        int i = 0;
        while (i < s.length() && (chars == null ? isSpace(s.charAt(i)) : chars.indexOf(s.charAt(i)) >= 0)) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripEnd(String s, String chars) {
        int i = s.length();
        while (i > 0 && (chars == null ? isSpace(s.charAt(i - 1)) : chars.indexOf(s.charAt(i - 1)) >= 0)) {
            i--;
        }
        return s.substring(0, i);
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int done = 0; done < count; done++) {
            int at = s.indexOf(old, start);
            if (at < 0 || (old.isEmpty() && at > s.length())) {
                break;
            }
            out.append(s, start, at).append(replacement);
            start = at + old.length();
            if (old.isEmpty()) {
                if (start < s.length()) {
                    out.append(s.charAt(start));
                }
                start++;
            }
        }
        if (start <= s.length()) {
            out.append(s.substring(Math.min(start, s.length())));
        }
        return out.toString();
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean previousCased = false;
        for (char c : s.toCharArray()) {
            out.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }
}
