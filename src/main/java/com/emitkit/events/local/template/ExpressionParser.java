package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser for the Python-like expressions inside {@code {{ }}} and {@code {% if %}}, with
 * Python's precedence: {@code or} < {@code and} < {@code not} < one comparison < literals, names and calls.
 */
final class ExpressionParser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private enum Kind { NAME, STRING, NUMBER, SYMBOL, END }

    private record Token(Kind kind, String text, Object value) {
        boolean is(String symbolOrKeyword) {
            return kind != Kind.STRING && text.equals(symbolOrKeyword);
        }

        String describe() {
            return kind == Kind.END ? "end of expression" : "'" + text + "'";
        }
    }

    private final List<Token> tokens;
    private final int line;
    private final Set<String> parameterNames;
    private int next;

    private ExpressionParser(String source, int line, Set<String> parameterNames) {
        this.line = line;
        this.parameterNames = parameterNames;
        this.tokens = tokenize(source);
    }

    /** Parses a whole expression, adding every parameter it names to {@code parameterNames}. */
    static Expr parse(String source, int line, Set<String> parameterNames) {
        ExpressionParser parser = new ExpressionParser(source, line, parameterNames);
        Expr expr = parser.or();
        parser.expectEnd();
        return expr;
    }

    private Expr or() {
        Expr expr = and();
        while (accept("or")) {
            expr = new Expr.Or(expr, and());
        }
        return expr;
    }

    private Expr and() {
        Expr expr = not();
        while (accept("and")) {
            expr = new Expr.And(expr, not());
        }
        return expr;
    }

    private Expr not() {
        return accept("not") ? new Expr.Not(not()) : comparison();
    }

    private Expr comparison() {
        Expr left = primary();
        Token token = peek();
        if (token.kind() == Kind.SYMBOL && COMPARISONS.contains(token.text())) {
            next++;
            return new Expr.Compare(left, token.text(), primary(), line);
        }
        return left;
    }

    private Expr primary() {
        Token token = tokens.get(next++);
        return switch (token.kind()) {
            case STRING, NUMBER -> new Expr.Literal(token.value());
            case NAME -> switch (token.text()) {
                case "True" -> new Expr.Literal(true);
                case "False" -> new Expr.Literal(false);
                case "None" -> new Expr.Literal(null);
                case "and", "or", "not" -> throw error("unexpected " + token.describe());
                default -> accept("(") ? call(token.text()) : parameter(token.text());
            };
            case SYMBOL -> {
                if (token.is("(")) {
                    Expr inner = or();
                    expect(")");
                    yield inner;
                }
                if (token.is("-") && peek().kind() == Kind.NUMBER) {
                    yield new Expr.Literal(negate(tokens.get(next++).value()));
                }
                throw error("unexpected " + token.describe());
            }
            case END -> throw error("expected an expression");
        };
    }

    private Expr parameter(String name) {
        parameterNames.add(name);
        return new Expr.Param(name);
    }

    private Expr call(String function) {
        List<Expr> positional = new ArrayList<>();
        Map<String, Expr> keywords = new LinkedHashMap<>();
        while (!accept(")")) {
            if (peek().kind() == Kind.NAME && tokens.get(next + 1).is("=")) {
                String keyword = tokens.get(next).text();
                next += 2;
                if (keywords.put(keyword, or()) != null) {
                    throw error(function + "() got argument '" + keyword + "' twice");
                }
            } else if (keywords.isEmpty()) {
                positional.add(or());
            } else {
                throw error(function + "() has a positional argument after a keyword argument");
            }
            if (!peek().is(")")) {
                expect(",");
            }
        }
        return Functions.call(function, positional, keywords, line);
    }

    private static Object negate(Object number) {
        return number instanceof BigInteger i ? i.negate() : -(Double) number;
    }

    private Token peek() {
        return tokens.get(next);
    }

    private boolean accept(String symbolOrKeyword) {
        if (peek().is(symbolOrKeyword)) {
            next++;
            return true;
        }
        return false;
    }

    private void expect(String symbol) {
        if (!accept(symbol)) {
            throw error("expected '" + symbol + "' but found " + peek().describe());
        }
    }

    private void expectEnd() {
        if (peek().kind() != Kind.END) {
            throw error("unexpected " + peek().describe());
        }
    }

    private TemplateSyntaxException error(String message) {
        return new TemplateSyntaxException(line, message);
    }

    private List<Token> tokenize(String source) {
        List<Token> result = new ArrayList<>();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            int start = i;
            if (Character.isWhitespace(c)) {
                i++;
            } else if (isNameStart(c)) {
                while (i < source.length() && (isNameStart(source.charAt(i)) || isDigit(source.charAt(i)))) {
                    i++;
                }
                result.add(new Token(Kind.NAME, source.substring(start, i), null));
            } else if (isDigit(c)) {
                i = number(source, i, result);
            } else if (c == '\'' || c == '"') {
                i = string(source, i, result);
            } else {
                String two = source.substring(i, Math.min(i + 2, source.length()));
                String symbol = COMPARISONS.contains(two) ? two : String.valueOf(c);
                if (symbol.length() == 1 && "()=,<>-".indexOf(c) < 0) {
                    throw error("unexpected character '" + c + "'");
                }
                result.add(new Token(Kind.SYMBOL, symbol, null));
                i += symbol.length();
            }
        }
        result.add(new Token(Kind.END, "", null));
        return result;
    }

    private static int number(String source, int start, List<Token> result) {
        int i = digits(source, start);
        boolean fraction = i + 1 < source.length() && source.charAt(i) == '.' && isDigit(source.charAt(i + 1));
        if (fraction) {
            i = digits(source, i + 1);
        }
        int exponent = i + 1;
        if (exponent < source.length() && (source.charAt(exponent) == '+' || source.charAt(exponent) == '-')) {
            exponent++;
        }
        boolean hasExponent = i < source.length() && (source.charAt(i) == 'e' || source.charAt(i) == 'E')
                && exponent < source.length() && isDigit(source.charAt(exponent));
        if (hasExponent) {
            i = digits(source, exponent);
        }
        String text = source.substring(start, i);
        Object value = fraction || hasExponent ? (Object) Double.parseDouble(text) : new BigInteger(text);
        result.add(new Token(Kind.NUMBER, text, value));
        return i;
    }

    private int string(String source, int start, List<Token> result) {
        char quote = source.charAt(start);
        StringBuilder value = new StringBuilder();
        int i = start + 1;
        while (i < source.length() && source.charAt(i) != quote) {
            char c = source.charAt(i++);
            if (c == '\\') {
                if (i == source.length()) {
                    break;
                }
                char escaped = source.charAt(i++);
                value.append(switch (escaped) {
                    case '\\', '\'', '"' -> escaped;
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> throw error("unsupported escape '\\" + escaped + "' in string literal");
                });
            } else {
                value.append(c);
            }
        }
        if (i >= source.length()) {
            throw error("unterminated string literal");
        }
        result.add(new Token(Kind.STRING, source.substring(start, i + 1), value.toString()));
        return i + 1;
    }

    private static int digits(String source, int i) {
        while (i < source.length() && isDigit(source.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
}
