package com.emitkit.events.tenancy;

import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * V5 on channels made before it, in a schema of its own on the embedded PostgreSQL: names that slug alike
 * merge into the oldest, whose id and name stay; the SQL slugs every name as {@link Channels#slug} does.
 */
@QuarkusTest
class ChannelSlugMigrationTest {

    private static final MigrationVersion V5 = MigrationVersion.fromVersion("5");

    @Test
    void namesThatSlugAlikeMergeIntoTheOldest() throws SQLException {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        String user = ConfigProvider.getConfig().getValue("quarkus.datasource.username", String.class);
        String password = ConfigProvider.getConfig().getValue("quarkus.datasource.password", String.class);
        String schema = "v5_check_" + Long.toHexString(System.nanoTime());
        Flyway before = Flyway.configure().dataSource(url, user, password).schemas(schema).target(lastBefore(url, user, password, schema)).load();
        before.migrate();
        try (Connection db = DriverManager.getConnection(url, user, password); Statement sql = db.createStatement()) {
            sql.execute("SET search_path TO " + schema);
            sql.execute("INSERT INTO organizations (id, name, retention_tier, widest_tier_ever) VALUES ('org_1', 'Acme', 'basic', 'basic')");
            sql.execute("INSERT INTO sites (id, organization_id, name) VALUES ('site_1', 'org_1', 'web'), ('site_2', 'org_1', 'app')");
            Map<String, String> channels = new LinkedHashMap<>();
            channels.put("ch_1", "Payments");
            channels.put("ch_2", "payments");
            channels.put("ch_3", "PAYMENTS");
            channels.put("ch_4", "Sign ups");
            channels.put("ch_5", "sign \t ups");
            channels.put("ch_6", "Ärger İstanbul");
            channels.put("ch_7", "ärger istanbul");
            channels.put("ch_8", "Other");
            int age = 100;
            for (Map.Entry<String, String> channel : channels.entrySet()) {
                sql.execute("INSERT INTO channels (id, organization_id, site_id, name, created_at) VALUES ('" + channel.getKey()
                        + "', 'org_1', 'site_1', '" + channel.getValue() + "', now() - interval '" + age-- + " hours')");
            }
            // Same name on another site: another channel, not merged.
            sql.execute("INSERT INTO channels (id, organization_id, site_id, name) VALUES ('ch_9', 'org_1', 'site_2', 'payments')");

            Flyway.configure().dataSource(url, user, password).schemas(schema).target(V5).load().migrate();

            Map<String, String> mergedInto = new LinkedHashMap<>();
            try (ResultSet rows = sql.executeQuery("SELECT id, name, slug, merged_into FROM channels ORDER BY id")) {
                while (rows.next()) {
                    String name = rows.getString("name");
                    assertEquals(Channels.slug(name), rows.getString("slug"), "the SQL slugs '" + name + "' as Java does");
                    mergedInto.put(rows.getString("id"), rows.getString("merged_into"));
                }
            }
            assertEquals(Map.of("ch_2", "ch_1", "ch_3", "ch_1", "ch_5", "ch_4", "ch_7", "ch_6"),
                    Map.copyOf(mergedInto.entrySet().stream().filter(e -> e.getValue() != null)
                            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
            assertNull(mergedInto.get("ch_9"));
            assertThrows(SQLException.class, () -> sql.execute(
                    "INSERT INTO channels (id, organization_id, site_id, name, slug) VALUES ('ch_10', 'org_1', 'site_1', 'Payments', 'payments')"));
        } finally {
            try (Connection db = DriverManager.getConnection(url, user, password); Statement sql = db.createStatement()) {
                sql.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** The newest migration before V5, whichever helper's number it is. */
    private static MigrationVersion lastBefore(String url, String user, String password, String schema) {
        MigrationInfo[] all = Flyway.configure().dataSource(url, user, password).schemas(schema).load().info().all();
        return Stream.of(all).map(MigrationInfo::getVersion).filter(v -> v.compareTo(V5) < 0)
                .max(Comparator.naturalOrder()).orElseThrow();
    }
}
