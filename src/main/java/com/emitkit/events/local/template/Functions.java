package com.emitkit.events.local.template;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The template functions: argument checking at parse time, and the expressions they evaluate to. */
final class Functions {
    // description, required, example and format only document the endpoint; they do not change rendering.
    private static final Set<String> TYPE_KEYWORDS = Set.of("default", "description", "required", "example", "format");
    private static final Set<String> ARRAY_KEYWORDS =
            Set.of("type", "default", "description", "required", "example", "format");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Functions() {
    }

    /** Resolves a call; unknown functions and misused arguments are syntax errors. */
    static Expr call(String function, List<Expr> positional, Map<String, Expr> keywords, int line) {
        Call call = new Call(function, positional, keywords, line);
        return switch (function) {
            case "defined" -> {
                call.allow(1, Set.of());
                yield new Defined(call.parameterName());
            }
            case "column" -> column(call);
            case "error" -> {
                call.allow(2, Set.of());
                // The optional second argument is an HTTP status; every parameter error is a 400 here.
                if (!(call.literal(0, null) instanceof String message)) {
                    throw call.error("expects a string message");
                }
                yield new Raise(message);
            }
            case "Array" -> array(call);
            default -> SqlType.byName(function)
                    .map(type -> typed(call, type))
                    .orElseThrow(() -> new TemplateSyntaxException(line, "unknown function " + function + "()"));
        };
    }

    private static Expr typed(Call call, SqlType type) {
        call.allow(2, TYPE_KEYWORDS);
        String name = call.parameterName();
        String defaultValue = call.text(1, "default");
        if (defaultValue != null) {
            call.validate(() -> type.parse(defaultValue));
        }
        return new TypedParam(name, type, defaultValue);
    }

    private static Expr array(Call call) {
        call.allow(3, ARRAY_KEYWORDS);
        String name = call.parameterName();
        String elementName = call.text(1, "type");
        SqlType element = elementName == null ? SqlType.STRING : SqlType.byName(elementName)
                .orElseThrow(() -> call.error("unknown element type '" + elementName + "'"));
        String defaultValue = call.text(2, "default");
        if (defaultValue != null) {
            call.validate(() -> ArrayParam.elements(defaultValue).forEach(element::parse));
        }
        return new ArrayParam(name, element, defaultValue);
    }

    private static Expr column(Call call) {
        call.allow(2, Set.of());
        String name = call.parameterName();
        String defaultValue = call.text(1, null);
        if (defaultValue != null) {
            call.validate(() -> Column.identifier(defaultValue));
        }
        return new Column(name, defaultValue);
    }

    /** The request value, else the default; a parameter with neither is required. */
    private static String value(Map<String, String> params, String name, String defaultValue) {
        String value = params.get(name);
        if (value != null) {
            return value;
        }
        if (defaultValue == null) {
            throw new TemplateParameterException("Required parameter is not defined: " + name);
        }
        return defaultValue;
    }

    private record Call(String function, List<Expr> positional, Map<String, Expr> keywords, int line) {
        void allow(int maxPositional, Set<String> allowedKeywords) {
            if (positional.size() > maxPositional) {
                throw error("takes at most " + maxPositional + " positional argument(s)");
            }
            for (String keyword : keywords.keySet()) {
                if (!allowedKeywords.contains(keyword)) {
                    throw error("has no argument '" + keyword + "'");
                }
            }
        }

        /** The first argument names the parameter, as a bare identifier. */
        String parameterName() {
            if (positional.isEmpty() || !(positional.getFirst() instanceof Expr.Param param)) {
                throw error("expects a parameter name as its first argument");
            }
            return param.name();
        }

        /** A literal argument given by position or keyword; null when absent or None. */
        Object literal(int index, String keyword) {
            Expr byPosition = index < positional.size() ? positional.get(index) : null;
            Expr byKeyword = keyword == null ? null : keywords.get(keyword);
            if (byPosition != null && byKeyword != null) {
                throw error("got '" + keyword + "' both by position and by keyword");
            }
            Expr argument = byPosition != null ? byPosition : byKeyword;
            if (argument == null) {
                return null;
            }
            if (!(argument instanceof Expr.Literal literal)) {
                throw error("argument " + (keyword != null ? "'" + keyword + "'" : index + 1) + " must be a literal");
            }
            return literal.value();
        }

        /** A literal argument as the text a request would send, e.g. 100 becomes "100". */
        String text(int index, String keyword) {
            Object value = literal(index, keyword);
            return value == null ? null : value.toString();
        }

        /** A bad default is a bug in the template, so it is reported when parsing rather than per request. */
        void validate(Runnable check) {
            try {
                check.run();
            } catch (TemplateParameterException e) {
                throw error("has an invalid default: " + e.getMessage());
            }
        }

        TemplateSyntaxException error(String message) {
            return new TemplateSyntaxException(line, function + "() " + message);
        }
    }

    record TypedParam(String name, SqlType type, String defaultValue) implements Expr.Output {
        @Override
        public Object evaluate(Map<String, String> params) {
            return type.parse(value(params, name, defaultValue));
        }

        @Override
        public String toSql(Map<String, String> params) {
            return type.toSql(value(params, name, defaultValue));
        }
    }

    /** A comma-separated request value; an empty value is an empty array. */
    record ArrayParam(String name, SqlType element, String defaultValue) implements Expr.Output {
        @Override
        public Object evaluate(Map<String, String> params) {
            return elements(value(params, name, defaultValue)).stream().map(element::parse).toList();
        }

        @Override
        public String toSql(Map<String, String> params) {
            return elements(value(params, name, defaultValue)).stream()
                    .map(element::toSql)
                    .collect(Collectors.joining(",", "[", "]"));
        }

        static List<String> elements(String value) {
            return value.isEmpty() ? List.of() : List.of(value.split(",", -1));
        }
    }

    record Defined(String name) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            return params.get(name) != null;
        }
    }

    /** A column chosen by the request, limited to plain identifiers so it cannot carry SQL. */
    record Column(String name, String defaultValue) implements Expr.Output {
        @Override
        public Object evaluate(Map<String, String> params) {
            return identifier(value(params, name, defaultValue));
        }

        @Override
        public String toSql(Map<String, String> params) {
            return "`" + evaluate(params) + "`";
        }

        static String identifier(String value) {
            if (!IDENTIFIER.matcher(value).matches()) {
                throw new TemplateParameterException("Invalid column name '" + TemplateParameterException.excerpt(value) + "'");
            }
            return value;
        }
    }

    /** {@code error('message')}: the template rejects the request. */
    record Raise(String message) implements Expr.Output {
        @Override
        public Object evaluate(Map<String, String> params) {
            throw new TemplateParameterException(message);
        }

        @Override
        public String toSql(Map<String, String> params) {
            throw new TemplateParameterException(message);
        }
    }
}
