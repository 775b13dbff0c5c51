package com.emitkit.events.local;

import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL typed by a caller ({@code /v0/sql}, a pipe's {@code q}): exactly one read-only statement.
 * chDB runs every statement of a multi-statement string, so separators outside literals are refused
 * here, and the statement runs wrapped as a subquery with {@code readonly} set.
 */
final class UserSql {

    static final int MAX_LENGTH = 8 * 1024;
    private static final Pattern TRAILING_FORMAT = Pattern.compile("(?is)^(.*?)\\s+FORMAT\\s+([A-Za-z]+)\\s*;?\\s*$");
    private static final Pattern READ_STATEMENT = Pattern.compile("(?is)^\\s*(\\(\\s*)*(SELECT|WITH)\\b.*");

    private final String statement;
    private final Optional<String> format;

    private UserSql(String statement, Optional<String> format) {
        this.statement = statement;
        this.format = format;
    }

    /** Parses a caller's statement, or throws {@link IllegalArgumentException} with the reason. */
    static UserSql parse(String sql, int maxLength) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("the query is empty");
        }
        if (sql.length() > maxLength) {
            throw new IllegalArgumentException("the query is longer than " + maxLength + " characters");
        }
        String body = withoutTrailingSeparator(sql.strip());
        requireSingleStatement(body);
        Optional<String> format = Optional.empty();
        Matcher m = TRAILING_FORMAT.matcher(body);
        if (m.matches()) {
            body = m.group(1);
            format = Optional.of(m.group(2));
        }
        if (!READ_STATEMENT.matcher(body).matches()) {
            throw new IllegalArgumentException("only SELECT queries are allowed");
        }
        return new UserSql(body, format);
    }

    String statement() {
        return statement;
    }

    /** The {@code FORMAT} the caller asked for at the end of the statement, if any. */
    Optional<String> format() {
        return format;
    }

    /**
     * Settings of every read the embedded engine runs. Top-K dynamic filtering is off: in chDB 26.5 it can take
     * its threshold from the wrong sort column on ORDER BY created_at DESC, id DESC LIMIT n over several parts
     * ("Cannot parse DateTime" from an id); results are the same without it. (As a session-wide SET it broke
     * later inserts, so it goes with each query.) A read stops after 10 s, Tinybird's default query timeout
     * (TIMEOUT_EXCEEDED, answered 408), so a query that would run for minutes fails here as it would there.
     */
    static final String READ_SETTINGS = "use_top_k_dynamic_filtering = 0, max_execution_time = 10";

    /** The statement as a read-only query (readonly=2 still lets it set other settings). */
    String readOnly() {
        return "SELECT * FROM (\n" + statement + "\n) SETTINGS readonly = 2, " + READ_SETTINGS;
    }

    private static String withoutTrailingSeparator(String sql) {
        return sql.endsWith(";") ? sql.substring(0, sql.length() - 1).stripTrailing() : sql;
    }

    /** Refuses a {@code ;} outside string literals, quoted identifiers and comments. */
    private static void requireSingleStatement(String sql) {
        forEachCodeChar(sql, c -> {
            if (c == ';') {
                throw new IllegalArgumentException("only one statement is allowed");
            }
        });
    }

    /**
     * Refuses an expression whose parentheses (outside literals, quoted identifiers and comments) do not pair up.
     * Put inside parentheses, such an expression could close them and go on with clauses of its own; one that
     * pairs them up stays a single expression, or is a syntax error.
     */
    static void requireBalancedParentheses(String expression) {
        int[] depth = {0};
        forEachCodeChar(expression, c -> {
            if (c == '(') {
                depth[0]++;
            } else if (c == ')' && --depth[0] < 0) {
                throw new IllegalArgumentException("a ')' closes a parenthesis that was not opened");
            }
        });
        if (depth[0] > 0) {
            throw new IllegalArgumentException("a '(' is not closed");
        }
    }

    /** Calls {@code code} with every character outside string literals, quoted identifiers and comments. */
    private static void forEachCodeChar(String sql, IntConsumer code) {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = endOfQuoted(sql, i, c);
            } else if (c == '-' && sql.startsWith("--", i)) {
                int newline = sql.indexOf('\n', i);
                i = newline < 0 ? sql.length() : newline + 1;
            } else if (c == '/' && sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated comment");
                }
                i = end + 2;
            } else {
                code.accept(c);
                i++;
            }
        }
    }

    private static int endOfQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated " + (quote == '\'' ? "string literal" : "quoted identifier"));
    }
}
