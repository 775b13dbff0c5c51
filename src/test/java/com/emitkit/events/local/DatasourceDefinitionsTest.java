package com.emitkit.events.local;

import com.emitkit.events.local.datafile.DatafileException;
import com.emitkit.events.local.datafile.TinybirdProject;
import com.emitkit.events.tinybird.TinybirdBackend;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.emitkit.events.local.EmbeddedApi.event;
import static com.emitkit.events.local.EmbeddedApi.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project's datasources as Tinybird creates them: their TTLs, and definitions Tinybird would refuse. */
@QuarkusTest
class DatasourceDefinitionsTest {

    private static final List<String> TABLES = List.of("events", "events_hourly", "events_daily");

    @Inject
    TinybirdBackend backend;

    @Inject
    EmbeddedTinybird embedded;

    @Test
    void theTtlDeletesBasicRowsAfter100DaysAndPremiumAfter400InEveryTableAndNeverUnlimitedOnes() {
        EmbeddedApi api = new EmbeddedApi(backend);
        String organization = unique("org_ttl");
        Instant now = Instant.now();
        Map<String, Object[]> rows = Map.of(
                "basic_98d", new Object[] {"basic", 98},
                "basic_102d", new Object[] {"basic", 102},
                "premium_398d", new Object[] {"premium", 398},
                "premium_402d", new Object[] {"premium", 402},
                "unlimited_5000d", new Object[] {"unlimited", 5000});
        List<Map<String, Object>> events = new ArrayList<>();
        rows.forEach((site, row) -> {
            Map<String, Object> e = event(unique(site), organization, "ch", (String) row[0],
                    now.minus(Duration.ofDays((Integer) row[1])));
            e.put("site_id", site);
            events.add(e);
        });
        // ClickHouse may already drop the expired rows in a merge right after the insert; the TTL is forced here.
        api.ingest(events);
        for (String table : TABLES) {
            embedded.connection().query("ALTER TABLE " + table + " MATERIALIZE TTL SETTINGS mutations_sync = 2", "TSV");
        }

        for (String table : TABLES) {
            assertEquals(List.of("basic_98d", "premium_398d", "unlimited_5000d"), sites(api, table, organization), table);
        }
    }

    @Test
    void aTtlListWhichTinybirdWouldWriteInParenthesesStopsStartUpAtItsLine(@TempDir Path project) throws IOException {
        String name = unique("ttl_list");
        Path datasources = Files.createDirectories(project.resolve("datasources"));
        Files.writeString(datasources.resolve(name + ".datasource"), """
                SCHEMA >
                    `tier` String,
                    `t` DateTime

                ENGINE "MergeTree"
                ENGINE_SORTING_KEY "t"
                ENGINE_TTL "t + INTERVAL 1 DAY DELETE WHERE tier = 'a', t + INTERVAL 2 DAY DELETE WHERE tier = 'b'"
                """);
        DatafileException refused = assertThrows(DatafileException.class, () -> install(project));
        assertTrue(refused.getMessage().contains(name + ".datasource:7: ClickHouse refused the definition"), refused.getMessage());
    }

    @Test
    void aPipeParameterNamedLikeOneOfTinybirdsOwnStopsStartUp(@TempDir Path project) throws IOException {
        Path endpoints = Files.createDirectories(project.resolve("endpoints"));
        Files.writeString(endpoints.resolve("by_tag.pipe"), """
                NODE by_tag_node
                SQL >
                    %
                    SELECT 1 WHERE {{ String(tag, 'x') }} != ''

                TYPE ENDPOINT
                """);
        DatafileException refused = assertThrows(DatafileException.class, () -> install(project));
        assertTrue(refused.getMessage().contains("by_tag.pipe:2: node by_tag_node uses the parameter name 'tag', which"
                + " Tinybird reserves"), refused.getMessage());
    }

    private void install(Path project) {
        EmbeddedWorkspace.install(embedded.connection(), TinybirdProject.load(project), false, new ObjectMapper());
    }

    private static List<String> sites(EmbeddedApi api, String table, String organization) {
        return api.sql("SELECT DISTINCT site_id FROM " + table + " WHERE organization_id = '" + organization
                + "' ORDER BY site_id").getList("data.site_id");
    }
}
