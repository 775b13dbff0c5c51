package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the Python that Tinybird templates contain: expressions with Python's precedence
 * ({@code x if c else y} < {@code or} < {@code and} < {@code not} < comparison chains < {@code + -} <
 * {@code * / // %} < unary < calls, subscripts and attributes), plus the headers of {@code for}, {@code set} and
 * {@code except}. What Tinybird forbids ({@code **}) or we do not evaluate (lambda, comprehensions, f-strings) is a
 * syntax error naming the construct.
 */
final class ExpressionParser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> AUGMENTED = Set.of("+=", "-=", "*=", "/=", "//=", "%=");
    private static final List<String> SYMBOLS = List.of("**=", "//=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=",
            "*=", "/=", "%=", ":=", "<<", ">>", "->", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", "{", "}",
            ",", ":", ".", "=", "~", "&", "|", "^", "@", ";");

    private enum Kind { NAME, STRING, NUMBER, SYMBOL, END }

    private record Token(Kind kind, String text, Object value) {
        boolean is(String symbolOrKeyword) {
            return kind != Kind.STRING && kind != Kind.NUMBER && text.equals(symbolOrKeyword);
        }

        String describe() {
            return kind == Kind.END ? "end of expression" : "'" + text + "'";
        }
    }

    /** {@code for <target> in <iterable>}. */
    record ForHeader(Expr target, Expr iterable) {
    }

    /** {@code set <target> = <value>}, or an augmented assignment such as {@code +=}. */
    record Assignment(Expr target, String operator, Expr value) {
    }

    /** {@code except [<type> [as <name>]]}; both parts may be null. */
    record ExceptHeader(Expr type, String name) {
    }

    private final List<Token> tokens;
    private final int line;
    private int next;

    private ExpressionParser(String source, int line) {
        this.line = line;
        this.tokens = tokenize(source);
    }

    /** The body of {@code {{ }}}, an {@code if} or a {@code while}: one expression, or a tuple of several. */
    static Expr parse(String source, int line) {
        ExpressionParser parser = new ExpressionParser(source, line);
        Expr expr = parser.testList();
        parser.expectEnd();
        return expr;
    }

    static ForHeader parseFor(String source, int line) {
        ExpressionParser parser = new ExpressionParser(source, line);
        Expr target = parser.targets();
        parser.expect("in");
        Expr iterable = parser.testList();
        parser.expectEnd();
        return new ForHeader(target, iterable);
    }

    static Assignment parseAssignment(String source, int line) {
        ExpressionParser parser = new ExpressionParser(source, line);
        Expr target = parser.targets();
        Token op = parser.tokens.get(parser.next++);
        if (!op.is("=") && !(AUGMENTED.contains(op.text()) && target instanceof Expr.Name)) {
            throw parser.error("{% set %} expects 'name = expression', found " + op.describe());
        }
        Expr value = parser.testList();
        parser.expectEnd();
        return new Assignment(target, op.text(), value);
    }

    static ExceptHeader parseExcept(String source, int line) {
        ExpressionParser parser = new ExpressionParser(source, line);
        if (parser.peek().kind() == Kind.END) {
            return new ExceptHeader(null, null);
        }
        Expr type = parser.test();
        String name = null;
        if (parser.accept("as")) {
            Token token = parser.tokens.get(parser.next++);
            if (token.kind() != Kind.NAME) {
                throw parser.error("expected a name after 'as', found " + token.describe());
            }
            name = token.text();
        }
        parser.expectEnd();
        return new ExceptHeader(type, name);
    }

    /** One name, or several separated by commas (optionally in parentheses), as for and set allow. */
    private Expr targets() {
        boolean parenthesised = accept("(");
        List<Expr> names = new ArrayList<>();
        do {
            Token token = tokens.get(next++);
            if (token.kind() != Kind.NAME || isKeyword(token.text())) {
                throw error("expected a variable name, found " + token.describe());
            }
            names.add(new Expr.Name(token.text()));
        } while (accept(",") && peek().kind() == Kind.NAME);
        if (parenthesised) {
            expect(")");
        }
        return names.size() == 1 && !parenthesised ? names.getFirst() : new Expr.TupleExpr(names);
    }

    private Expr testList() {
        Expr first = test();
        if (!peek().is(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (accept(",") && startsExpression()) {
            items.add(test());
        }
        return new Expr.TupleExpr(items);
    }

    private Expr test() {
        if (peek().is("lambda")) {
            throw error("lambda is not supported");
        }
        Expr body = or();
        if (accept("if")) {
            Expr condition = or();
            expect("else");
            return new Expr.IfExp(condition, body, test());
        }
        return body;
    }

    private Expr or() {
        return boolOp("or", this::and);
    }

    private Expr and() {
        return boolOp("and", this::not);
    }

    private Expr boolOp(String op, java.util.function.Supplier<Expr> operand) {
        Expr first = operand.get();
        if (!peek().is(op)) {
            return first;
        }
        List<Expr> values = new ArrayList<>(List.of(first));
        while (accept(op)) {
            values.add(operand.get());
        }
        return new Expr.BoolOp(op, values);
    }

    private Expr not() {
        return accept("not") ? new Expr.Unary("not", not()) : comparison();
    }

    private Expr comparison() {
        Expr left = arithmetic();
        List<String> ops = new ArrayList<>();
        List<Expr> comparators = new ArrayList<>();
        while (true) {
            Token token = peek();
            String op;
            if (token.kind() == Kind.SYMBOL && COMPARISONS.contains(token.text())) {
                op = token.text();
                next++;
            } else if (token.is("in")) {
                op = "in";
                next++;
            } else if (token.is("not") && tokens.get(next + 1).is("in")) {
                op = "not in";
                next += 2;
            } else if (token.is("is")) {
                next++;
                op = accept("not") ? "is not" : "is";
            } else {
                break;
            }
            ops.add(op);
            comparators.add(arithmetic());
        }
        return ops.isEmpty() ? left : new Expr.Compare(left, ops, comparators);
    }

    private Expr arithmetic() {
        Expr expr = term();
        while (peek().is("+") || peek().is("-")) {
            String op = tokens.get(next++).text();
            expr = new Expr.Binary(expr, op, term());
        }
        rejectBitwise();
        return expr;
    }

    private Expr term() {
        Expr expr = factor();
        while (peek().is("*") || peek().is("/") || peek().is("//") || peek().is("%")) {
            String op = tokens.get(next++).text();
            expr = new Expr.Binary(expr, op, factor());
        }
        if (peek().is("@")) {
            throw error("the operator '@' is not supported");
        }
        return expr;
    }

    private void rejectBitwise() {
        for (String op : List.of("&", "|", "^", "<<", ">>")) {
            if (peek().is(op)) {
                throw error("the bitwise operator '" + op + "' is not supported");
            }
        }
    }

    private Expr factor() {
        if (accept("-")) {
            Expr operand = factor();
            return operand instanceof Expr.Const(Object v) && Py.isNumber(v) && !(v instanceof Boolean)
                    ? new Expr.Const(Py.negate(v)) : new Expr.Unary("-", operand);
        }
        if (accept("+")) {
            return new Expr.Unary("+", factor());
        }
        if (peek().is("~")) {
            throw error("the operator '~' is not supported");
        }
        Expr expr = postfix(atom());
        if (peek().is("**")) {
            // Tinybird's sandbox refuses powers, so that {{ [1] * 10**9 }} cannot exhaust memory.
            throw error("Invalid BinOp: Pow()");
        }
        return expr;
    }

    private Expr postfix(Expr expr) {
        while (true) {
            if (accept("(")) {
                expr = call(expr);
            } else if (accept("[")) {
                expr = new Expr.Subscript(expr, subscript());
                expect("]");
            } else if (accept(".")) {
                Token name = tokens.get(next++);
                if (name.kind() != Kind.NAME) {
                    throw error("expected an attribute name after '.', found " + name.describe());
                }
                expr = new Expr.Attribute(expr, name.text());
            } else {
                return expr;
            }
        }
    }

    private Expr subscript() {
        Expr lower = peek().is(":") ? null : test();
        if (!accept(":")) {
            return lower;
        }
        Expr upper = peek().is(":") || peek().is("]") ? null : test();
        Expr step = null;
        if (accept(":") && !peek().is("]")) {
            step = test();
        }
        return new Expr.Slice(lower, upper, step);
    }

    private Expr call(Expr function) {
        List<Expr> args = new ArrayList<>();
        List<Expr.Keyword> keywords = new ArrayList<>();
        while (!accept(")")) {
            if (peek().is("*") || peek().is("**")) {
                throw error("argument unpacking with '" + peek().text() + "' is not supported");
            }
            if (peek().kind() == Kind.NAME && tokens.get(next + 1).is("=")) {
                String keyword = tokens.get(next).text();
                next += 2;
                if (keywords.stream().anyMatch(k -> k.name().equals(keyword))) {
                    throw error("keyword argument repeated: " + keyword);
                }
                keywords.add(new Expr.Keyword(keyword, test()));
            } else if (keywords.isEmpty()) {
                args.add(test());
                if (peek().is("for")) {
                    throw error("comprehensions are not supported");
                }
            } else {
                throw error("positional argument follows keyword argument");
            }
            if (!peek().is(")")) {
                expect(",");
            }
        }
        return new Expr.Call(function, args, keywords);
    }

    private Expr atom() {
        Token token = tokens.get(next++);
        return switch (token.kind()) {
            case NUMBER -> new Expr.Const(token.value());
            case STRING -> {
                StringBuilder text = new StringBuilder((String) token.value());
                while (peek().kind() == Kind.STRING) {
                    text.append((String) tokens.get(next++).value());
                }
                yield new Expr.Const(text.toString());
            }
            case NAME -> switch (token.text()) {
                case "True" -> new Expr.Const(true);
                case "False" -> new Expr.Const(false);
                case "None" -> new Expr.Const(null);
                default -> {
                    if (isKeyword(token.text())) {
                        throw error("unexpected " + token.describe());
                    }
                    yield new Expr.Name(token.text());
                }
            };
            case SYMBOL -> switch (token.text()) {
                case "(" -> parenthesised();
                case "[" -> {
                    List<Expr> items = items("]");
                    yield new Expr.ListExpr(items);
                }
                case "{" -> dict();
                default -> throw error("unexpected " + token.describe());
            };
            case END -> throw error("expected an expression");
        };
    }

    private Expr parenthesised() {
        if (accept(")")) {
            return new Expr.TupleExpr(List.of());
        }
        Expr first = test();
        if (peek().is("for")) {
            throw error("generator expressions are not supported");
        }
        if (accept(")")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        expect(",");
        items.addAll(items(")"));
        return new Expr.TupleExpr(items);
    }

    /** Comma-separated expressions up to {@code close}, which is consumed; a trailing comma is allowed. */
    private List<Expr> items(String close) {
        List<Expr> items = new ArrayList<>();
        while (!accept(close)) {
            items.add(test());
            if (peek().is("for")) {
                throw error("comprehensions are not supported");
            }
            if (!peek().is(close)) {
                expect(",");
            }
        }
        return items;
    }

    private Expr dict() {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!accept("}")) {
            keys.add(test());
            if (!accept(":")) {
                throw error("set literals are not supported; a dict needs 'key: value'");
            }
            values.add(test());
            if (peek().is("for")) {
                throw error("comprehensions are not supported");
            }
            if (!peek().is("}")) {
                expect(",");
            }
        }
        return new Expr.DictExpr(keys, values);
    }

    private boolean startsExpression() {
        Token token = peek();
        return token.kind() != Kind.END && !(token.kind() == Kind.SYMBOL && ")]}:=,".contains(token.text()));
    }

    private static boolean isKeyword(String name) {
        return switch (name) {
            case "and", "or", "not", "in", "is", "if", "else", "for", "lambda", "while", "def", "class", "return",
                 "import", "from", "as", "with", "yield", "del", "global", "nonlocal", "assert", "pass", "raise",
                 "try", "except", "finally", "break", "continue", "elif", "async", "await" -> true;
            default -> false;
        };
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
        int depth = 0;
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            int start = i;
            if (c == '\n' && depth == 0) {
                throw error("a line break outside brackets ends the Python statement; put it inside ( )");
            } else if (Character.isWhitespace(c) || (c == '\\' && i + 1 < source.length() && source.charAt(i + 1) == '\n')) {
                i += c == '\\' ? 2 : 1;
            } else if (c == '#') {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isUnicodeIdentifierStart(c) || c == '_') {
                while (i < source.length() && Character.isUnicodeIdentifierPart(source.charAt(i))) {
                    i++;
                }
                String name = source.substring(start, i);
                if (i < source.length() && (source.charAt(i) == '\'' || source.charAt(i) == '"') && name.length() <= 2
                        && name.toLowerCase(java.util.Locale.ROOT).matches("[rbuf]|rb|br|fr|rf")) {
                    i = string(source, i, name.toLowerCase(java.util.Locale.ROOT), result);
                } else {
                    result.add(new Token(Kind.NAME, name, null));
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < source.length() && Character.isDigit(source.charAt(i + 1)))) {
                i = number(source, i, result);
            } else if (c == '\'' || c == '"') {
                i = string(source, i, "", result);
            } else {
                String symbol = SYMBOLS.stream().filter(s -> source.startsWith(s, start)).findFirst()
                        .orElseThrow(() -> error("unexpected character '" + c + "'"));
                if (symbol.equals(":=") || symbol.equals(";") || symbol.equals("->")) {
                    throw error("'" + symbol + "' is not supported");
                }
                depth += "([{".contains(symbol) ? 1 : ")]}".contains(symbol) ? -1 : 0;
                result.add(new Token(Kind.SYMBOL, symbol, null));
                i += symbol.length();
            }
        }
        result.add(new Token(Kind.END, "", null));
        return result;
    }

    private int number(String source, int start, List<Token> result) {
        int i = start;
        if (source.startsWith("0x", i) || source.startsWith("0X", i) || source.startsWith("0o", i)
                || source.startsWith("0O", i) || source.startsWith("0b", i) || source.startsWith("0B", i)) {
            int radix = switch (Character.toLowerCase(source.charAt(i + 1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            i += 2;
            int digitsStart = i;
            while (i < source.length() && (Character.digit(source.charAt(i), radix) >= 0 || source.charAt(i) == '_')) {
                i++;
            }
            String digits = source.substring(digitsStart, i).replace("_", "");
            if (digits.isEmpty()) {
                throw error("invalid number literal");
            }
            result.add(new Token(Kind.NUMBER, source.substring(start, i), new BigInteger(digits, radix)));
            return i;
        }
        while (i < source.length() && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '_')) {
            i++;
        }
        boolean isFloat = false;
        if (i < source.length() && source.charAt(i) == '.') {
            isFloat = true;
            i++;
            while (i < source.length() && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '_')) {
                i++;
            }
        }
        if (i < source.length() && (source.charAt(i) == 'e' || source.charAt(i) == 'E')) {
            int exponent = i + 1;
            if (exponent < source.length() && (source.charAt(exponent) == '+' || source.charAt(exponent) == '-')) {
                exponent++;
            }
            if (exponent < source.length() && Character.isDigit(source.charAt(exponent))) {
                isFloat = true;
                i = exponent;
                while (i < source.length() && Character.isDigit(source.charAt(i))) {
                    i++;
                }
            }
        }
        if (i < source.length() && (source.charAt(i) == 'j' || source.charAt(i) == 'J')) {
            throw error("complex numbers are not supported");
        }
        String text = source.substring(start, i);
        String plain = text.replace("_", "");
        Object value = isFloat ? (Object) Double.parseDouble(plain) : new BigInteger(plain);
        result.add(new Token(Kind.NUMBER, text, value));
        return i;
    }

    private int string(String source, int quoteAt, String prefix, List<Token> result) {
        if (prefix.contains("f")) {
            throw error("f-strings are not supported");
        }
        boolean raw = prefix.contains("r");
        char quote = source.charAt(quoteAt);
        String delimiter = source.startsWith(String.valueOf(quote).repeat(3), quoteAt) ? String.valueOf(quote).repeat(3)
                : String.valueOf(quote);
        StringBuilder value = new StringBuilder();
        int i = quoteAt + delimiter.length();
        while (true) {
            if (i >= source.length()) {
                throw error("unterminated string literal");
            }
            if (source.startsWith(delimiter, i)) {
                break;
            }
            char c = source.charAt(i++);
            if (c == '\n' && delimiter.length() == 1) {
                throw error("unterminated string literal");
            }
            if (c != '\\' || i == source.length()) {
                value.append(c);
                continue;
            }
            char escaped = source.charAt(i++);
            if (raw) {
                value.append('\\').append(escaped);
                continue;
            }
            switch (escaped) {
                case '\n' -> { }
                case '\\', '\'', '"' -> value.append(escaped);
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case 'a' -> value.append('\u0007');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'v' -> value.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int length = escaped == 'x' ? 2 : escaped == 'u' ? 4 : 8;
                    if (i + length > source.length()) {
                        throw error("truncated \\" + escaped + " escape");
                    }
                    try {
                        value.appendCodePoint(Integer.parseInt(source.substring(i, i + length), 16));
                    } catch (IllegalArgumentException e) {
                        throw error("invalid \\" + escaped + " escape");
                    }
                    i += length;
                }
                default -> {
                    if (escaped >= '0' && escaped <= '7') {
                        int end = i - 1;
                        while (end < source.length() && end < i + 2 && source.charAt(end) >= '0' && source.charAt(end) <= '7') {
                            end++;
                        }
                        value.appendCodePoint(Integer.parseInt(source.substring(i - 1, end), 8));
                        i = end;
                    } else {
                        // Python keeps the backslash of an unknown escape.
                        value.append('\\').append(escaped);
                    }
                }
            }
        }
        int end = i + delimiter.length();
        result.add(new Token(Kind.STRING, source.substring(quoteAt, end), value.toString()));
        return end;
    }
}
