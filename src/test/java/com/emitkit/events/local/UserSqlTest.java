package com.emitkit.events.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserSqlTest {

    @Test
    void separatorsInsideLiteralsIdentifiersAndCommentsAreFine() {
        for (String sql : List.of("SELECT ';' AS s", "SELECT 'it''s; fine'", "SELECT 'a\\';b'", "SELECT `x;y` FROM t",
                "SELECT \"x;y\" FROM t", "SELECT 1 -- ; trailing\n", "SELECT /* ; */ 1", "SELECT 1;", "WITH 1 AS x SELECT x")) {
            UserSql.parse(sql, UserSql.MAX_LENGTH);
        }
    }

    @Test
    void aSecondStatementIsRefused() {
        for (String sql : List.of("SELECT 1; DROP TABLE events", "SELECT 'a'; SELECT 2", "SELECT `a`;DROP TABLE t",
                "SELECT 1 /* x */; DROP TABLE t", "SELECT 1 -- c\n; DROP TABLE t")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UserSql.parse(sql, UserSql.MAX_LENGTH));
            assertTrue(e.getMessage().contains("one statement"), sql);
        }
        assertThrows(IllegalArgumentException.class, () -> UserSql.parse("SELECT 'unterminated; DROP TABLE t", 100));
    }

    @Test
    void onlySelectsOfBoundedLength() {
        for (String sql : List.of("DROP TABLE events", "INSERT INTO t VALUES (1)", "SHOW TABLES", "ALTER TABLE t DELETE WHERE 1", "")) {
            assertThrows(IllegalArgumentException.class, () -> UserSql.parse(sql, UserSql.MAX_LENGTH), sql);
        }
        assertThrows(IllegalArgumentException.class, () -> UserSql.parse("SELECT " + "1".repeat(9000), UserSql.MAX_LENGTH));
    }

    @Test
    void anExpressionMustPairItsParentheses() {
        for (String condition : List.of("a = 1", "(a = 1) OR b IN (1, 2)", "a = ')'", "`x)` = 1", "a = 1 /* ) */")) {
            UserSql.requireBalancedParentheses(condition);
        }
        for (String condition : List.of("1) OR (1", "1) SETTINGS max_threads = 1 --", "(a = 1", "a = ')' )")) {
            assertThrows(IllegalArgumentException.class, () -> UserSql.requireBalancedParentheses(condition), condition);
        }
    }

    @Test
    void aTrailingFormatIsTakenOutAndTheStatementWrappedReadOnly() {
        UserSql sql = UserSql.parse("SELECT 1 AS one FORMAT JSONEachRow", UserSql.MAX_LENGTH);
        assertEquals(Optional.of("JSONEachRow"), sql.format());
        assertEquals("SELECT * FROM (\nSELECT 1 AS one\n) SETTINGS readonly = 2, use_top_k_dynamic_filtering = 0,"
                + " max_execution_time = 10", sql.readOnly());
        assertEquals(Optional.empty(), UserSql.parse("SELECT 'FORMAT JSON'", UserSql.MAX_LENGTH).format());
    }
}
