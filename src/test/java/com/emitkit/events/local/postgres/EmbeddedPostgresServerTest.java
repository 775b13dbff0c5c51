package com.emitkit.events.local.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

    // The data folder is the @TempDir itself: as root the server runs as nobody, which can enter /tmp but not a
    // folder below the root-only @TempDir.
    @TempDir
    Path dataDir;

    @Test
    void keepsDataAcrossRestarts() throws Exception {
        long coldStart = System.nanoTime();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            report("first start (initdb)", coldStart);
            assertEquals("jdbc:postgresql://127.0.0.1:" + server.port() + "/emitkit", server.jdbcUrl());
            assertEquals("postgresql://127.0.0.1:" + server.port() + "/emitkit", server.reactiveUrl());
            try (Connection connection = connect(server); Statement statement = connection.createStatement()) {
                assertTrue(queryString(statement, "SELECT version()").startsWith("PostgreSQL 17."));
                assertEquals("UTF8", queryString(statement, "SHOW server_encoding"));
                assertEquals("127.0.0.1", queryString(statement, "SHOW listen_addresses"));
                statement.execute("CREATE TABLE tenant (id int PRIMARY KEY, name text NOT NULL)");
                statement.execute("INSERT INTO tenant VALUES (1, 'Ärger GmbH')");
            }
        }

        long warmStart = System.nanoTime();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            report("restart on the same data folder", warmStart);
            try (Connection connection = connect(server); Statement statement = connection.createStatement()) {
                assertEquals("ÄRGER GMBH", queryString(statement, "SELECT upper(name) FROM tenant WHERE id = 1"));
            }
            server.close();
            server.close();
            assertThrows(SQLException.class, () -> connect(server).close());
        }
    }

    @Test
    void recoversFromAKilledServer() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            long serverPid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst());
            ProcessHandle postmaster = ProcessHandle.of(serverPid).orElseThrow();
            postmaster.destroyForcibly();
            postmaster.onExit().get(10, TimeUnit.SECONDS);
            assertThrows(SQLException.class, () -> connect(server).close());
        }
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0);
             Connection connection = connect(server);
             Statement statement = connection.createStatement()) {
            assertEquals("emitkit", queryString(statement, "SELECT current_database()"));
        }
    }

    @Test
    void refusesASecondServerOnTheSameDataFolder() {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, 0)) {
            IllegalStateException failure =
                    assertThrows(IllegalStateException.class, () -> EmbeddedPostgresServer.start(dataDir, 0));
            assertTrue(failure.getMessage().contains("already running"), failure.getMessage());
        }
    }

    private static Connection connect(EmbeddedPostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.username(), server.password());
    }

    private static String queryString(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next(), sql);
            return rows.getString(1);
        }
    }

    private static void report(String what, long startNanos) {
        System.out.printf("%s took %d ms%n", what, (System.nanoTime() - startNanos) / 1_000_000);
    }
}
