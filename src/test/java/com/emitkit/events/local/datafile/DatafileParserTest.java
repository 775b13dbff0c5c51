package com.emitkit.events.local.datafile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatafileParserTest {

    private static final Path PROJECT = Path.of("tinybird");

    @Test
    void readsTheProjectsEventsDatasource() {
        Datasource events = DatafileParser.parseDatasource(PROJECT.resolve("datasources/events.datasource"));
        assertEquals("events", events.name());
        assertEquals("MergeTree", events.engine());
        assertEquals(Optional.of("organization_id, retention_tier, site_id, channel_id, created_at"),
                events.engineSetting("ENGINE_SORTING_KEY"));
        assertEquals(Optional.of("toYYYYMM(created_at)"), events.engineSetting("ENGINE_PARTITION_KEY"));
        Column createdAt = events.columns().stream().filter(c -> c.name().equals("created_at")).findFirst().orElseThrow();
        assertEquals("DateTime64(3, 'UTC')", createdAt.type());
        assertEquals("$.created_at", createdAt.jsonPath());
        Column tags = events.columns().stream().filter(c -> c.name().equals("tags")).findFirst().orElseThrow();
        assertEquals("Array(String)", tags.type());
        assertTrue(tags.arrayPath());
        assertEquals(Optional.of("[]"), tags.defaultExpression());
        assertEquals(List.of("id", "organization_id", "site_id", "channel_id", "channel_name", "retention_tier", "title",
                "description", "icon", "tags", "metadata", "user_id", "notify", "display_as", "source", "created_at"),
                events.columns().stream().map(Column::name).toList());
    }

    @Test
    void readsEveryPipeOfTheProject() {
        TinybirdProject project = TinybirdProject.load(PROJECT);
        assertEquals(List.of("events", "events_corrected_buckets", "events_daily", "events_hourly"),
                project.datasources().stream().map(Datasource::name).sorted().toList());
        Pipe stats = project.pipes().stream().filter(p -> p.name().equals("get_events_stats")).findFirst().orElseThrow();
        assertTrue(stats.endpoint());
        assertEquals(List.of("touched_buckets", "stats_parts", "get_events_stats_node"), stats.nodes().stream().map(Pipe.Node::name).toList());
        assertTrue(stats.nodes().getFirst().templated());
        Pipe hourly = project.pipes().stream().filter(p -> p.name().equals("events_hourly_mv")).findFirst().orElseThrow();
        assertTrue(hourly.materialized());
        assertEquals(Optional.of("events_hourly"), hourly.targetDatasource());
    }

    @Test
    void whatItCannotUnderstandFailsWithFileAndLine(@TempDir Path dir) throws IOException {
        assertFailure(dir, "bad.datasource", "SCHEMA >\n    `a` String\n\nENGINE_FANCY \"x\"\n", ":4: unsupported datasource setting ENGINE_FANCY");
        assertFailure(dir, "bad.datasource", "SCHEMA >\n    `a` String,\n    `b` String CODEC(ZSTD) oops\n",
                ":3: unsupported column clause");
        assertFailure(dir, "bad.datasource", "SCHEMA >\n    `t` DateTime64\n", ":2: DateTime64 needs a precision");
        assertFailure(dir, "bad.pipe", "NODE n\nSQL >\n    SELECT 1\n\nTYPE COPY\n", ":5: pipe TYPE COPY is not supported");
        assertFailure(dir, "bad.pipe", "SQL >\n    SELECT 1\n", ":1: SQL outside of a NODE");
        assertFailure(dir, "bad.pipe", "NODE n\nSQL >\n    SELECT 1\nselect 2\nTYPE ENDPOINT\n", ":4: expected a datafile keyword");
        assertFailure(dir, "bad.pipe", "NODE bad\nSQL >\n    SELECT 1\n", "node name must be an identifier different");
        assertFailure(dir, "mv.pipe", "NODE n\nSQL >\n    SELECT 1\n\nTYPE MATERIALIZED\n", "needs DATASOURCE");
    }

    private static void assertFailure(Path dir, String fileName, String text, String expected) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, text);
        DatafileException e = assertThrows(DatafileException.class, () -> {
            if (fileName.endsWith(".pipe")) {
                DatafileParser.parsePipe(file);
            } else {
                DatafileParser.parseDatasource(file);
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " should contain " + expected);
    }
}
