package com.emitkit.events.local;

import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static com.emitkit.events.local.EmbeddedApi.at;
import static com.emitkit.events.local.EmbeddedApi.event;
import static com.emitkit.events.local.EmbeddedApi.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tinybird/ endpoint pipes, run on the embedded engine against seeded events. */
@QuarkusTest
class EndpointPipesTest {

    private static final String RETENTION = "(retention_tier = 'unlimited'"
            + " OR (retention_tier = 'premium' AND created_at >= now64(3) - INTERVAL 365 DAY)"
            + " OR (retention_tier = 'basic' AND created_at >= now64(3) - INTERVAL 90 DAY))";

    @Inject
    TinybirdBackend backend;

    @Inject
    EmbeddedTinybird embedded;

    EmbeddedApi api;
    String organization;

    @BeforeEach
    void setUp() {
        api = new EmbeddedApi(backend);
        organization = unique("org");
    }

    private static Instant daysAgo(Instant now, long days) {
        return now.minus(Duration.ofDays(days));
    }

    @Test
    void eachEventKeepsTheWindowOfTheTierItWasCreatedWith() {
        Instant now = Instant.now();
        api.ingest(List.of(
                event("A_basic_150d", organization, "ch", "basic", daysAgo(now, 150)),
                event("B_premium_89d", organization, "ch", "premium", daysAgo(now, 89)),
                event("C_unlimited_730d", organization, "ch", "unlimited", daysAgo(now, 730)),
                event("D_basic_10d", organization, "ch", "basic", daysAgo(now, 10)),
                event("E_premium_400d", organization, "ch", "premium", daysAgo(now, 400)),
                event("F_basic_95d", organization, "ch", "basic", daysAgo(now, 95)),
                event("G_unknown_tier", organization, "ch", "gold", daysAgo(now, 1))));

        assertEquals(List.of("D_basic_10d", "B_premium_89d", "C_unlimited_730d"),
                api.pipe("get_events_paginated", Map.of("organization_id", organization)).getList("data.id"));
        assertEquals(List.of("C_unlimited_730d", "B_premium_89d", "D_basic_10d"),
                api.pipe("stream_events", Map.of("organization_id", organization, "channel_id", "ch")).getList("data.id"));
        assertEquals(List.of("C_unlimited_730d", "B_premium_89d", "D_basic_10d"), api.pipe("stream_events",
                Map.of("organization_id", organization, "channel_id", "ch", "since", at(daysAgo(now, 3000)))).getList("data.id"));
        for (String granularity : List.of("day", "hour")) {
            JsonPath stats = api.pipe("get_events_stats", Map.of("organization_id", organization, "granularity", granularity));
            assertEquals(3, stats.getInt("data[0].total_events"), granularity);
        }

        // A cutoff parameter can narrow a window, never widen it.
        Map<String, String> narrowed = Map.of("organization_id", organization, "basic_cutoff", at(daysAgo(now, 5)),
                "premium_cutoff", at(daysAgo(now, 1000)));
        assertEquals(List.of("B_premium_89d", "C_unlimited_730d"), api.pipe("get_events_paginated", narrowed).getList("data.id"));
        assertEquals(2, api.pipe("get_events_stats", narrowed).getInt("data[0].total_events"));
    }

    @Test
    void theSinceCursorNeitherSkipsNorRepeatsEventsOfTheSameMillisecond() {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(60);
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(event("x0", organization, "ch", "basic", t.minusMillis(1)));
        for (String id : List.of("m3", "m1", "m5", "m2", "m4")) {
            rows.add(event(id, organization, "ch", "premium", t));
        }
        rows.add(event("x6", organization, "ch", "basic", t.plusMillis(1)));
        rows.add(event("other_channel", organization, "ch2", "basic", t));
        api.ingest(rows);

        List<String> seen = new ArrayList<>();
        String since = at(t.minusSeconds(1));
        String sinceId = "";
        for (int poll = 0; poll < 10; poll++) {
            JsonPath page = api.pipe("stream_events", Map.of("organization_id", organization, "channel_id", "ch",
                    "since", since, "since_id", sinceId, "limit", 2));
            List<String> ids = page.getList("data.id");
            if (ids.isEmpty()) {
                break;
            }
            seen.addAll(ids);
            since = page.getString("data[-1].created_at");
            sinceId = ids.getLast();
        }
        assertEquals(List.of("x0", "m1", "m2", "m3", "m4", "m5", "x6"), seen);
    }

    @Test
    void paginationByOffsetAndByKeysetIsTotalAndStable() {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Two events share each even millisecond, so ties are part of every page boundary.
            rows.add(event("p" + i, organization, "ch", "unlimited", t.plusMillis(i / 2 * 2)));
        }
        api.ingest(rows);
        List<String> expected = List.of("p5", "p4", "p6", "p3", "p2", "p1", "p0").stream()
                .sorted((a, b) -> {
                    int ta = Integer.parseInt(a.substring(1)) / 2;
                    int tb = Integer.parseInt(b.substring(1)) / 2;
                    return ta != tb ? Integer.compare(tb, ta) : b.compareTo(a);
                }).toList();

        List<String> byOffset = new ArrayList<>();
        for (int offset = 0; offset < 9; offset += 3) {
            byOffset.addAll(api.pipe("get_events_paginated", Map.of("organization_id", organization, "channel_id", "ch",
                    "limit", 3, "offset", offset)).getList("data.id"));
        }
        assertEquals(expected, byOffset);

        List<String> byKeyset = new ArrayList<>();
        Map<String, Object> params = new HashMap<>(Map.of("organization_id", organization, "limit", 2));
        for (int page = 0; page < 10; page++) {
            JsonPath result = api.pipe("get_events_paginated", params);
            List<String> ids = result.getList("data.id");
            if (ids.isEmpty()) {
                break;
            }
            byKeyset.addAll(ids);
            params.put("before", result.getString("data[-1].created_at"));
            params.put("before_id", ids.getLast());
        }
        assertEquals(expected, byKeyset);
    }

    @Test
    void filtersNarrowTheList() {
        Instant now = Instant.now();
        Map<String, Object> tagged = event("tagged", organization, "ch", "basic", now.minusSeconds(5));
        tagged.put("tags", List.of("vip", "eu"));
        tagged.put("user_id", "user_7");
        api.ingest(List.of(tagged, event("plain", organization, "ch", "basic", now.minusSeconds(4)),
                event("old", organization, "ch", "basic", daysAgo(now, 3))));
        assertEquals(List.of("tagged"), api.pipe("get_events_paginated", Map.of("organization_id", organization, "tag_filter", "vip"))
                .getList("data.id"));
        assertEquals(List.of("tagged"), api.pipe("get_events_paginated", Map.of("organization_id", organization,
                "user_id", "user_7")).getList("data.id"));
        assertEquals(List.of("old"), api.pipe("get_events_paginated", Map.of("organization_id", organization,
                "date_to", at(daysAgo(now, 1)))).getList("data.id"));
        assertEquals(List.of("plain", "tagged"), api.pipe("get_events_paginated", Map.of("organization_id", organization,
                "date_from", at(daysAgo(now, 1)))).getList("data.id"));
        assertEquals(List.of("old"), api.pipe("get_events_paginated", Map.of("organization_id", organization, "id", "old"))
                .getList("data.id"));
    }

    @Test
    void anEventFoundByIdIsStillSubjectToItsTiersWindow() {
        Instant now = Instant.now();
        api.ingest(List.of(event("expired", organization, "ch", "basic", daysAgo(now, 95)),
                event("kept", organization, "ch", "premium", daysAgo(now, 95))));
        assertEquals(List.of(), api.pipe("get_events_paginated", Map.of("organization_id", organization, "id", "expired"))
                .getList("data.id"));
        assertEquals(List.of("kept"), api.pipe("get_events_paginated", Map.of("organization_id", organization, "id", "kept"))
                .getList("data.id"));
    }

    @Test
    void statsFromTheMaterializationsEqualTheFiguresOfRawRows() {
        Instant now = Instant.now();
        Random random = new Random(42);
        List<String> tiers = List.of("basic", "premium", "unlimited");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Instant createdAt = now.minusMillis((long) (random.nextDouble() * Duration.ofDays(4).toMillis()));
            rows.add(seeded(i, tiers.get(random.nextInt(3)), createdAt, random));
        }
        // Rows on both sides of each tier's window, where buckets are only partly visible.
        int i = 1000;
        for (long minutes : List.of(-30L, 30L, -90L, 90L)) {
            rows.add(seeded(i++, "basic", daysAgo(now, 90).plus(Duration.ofMinutes(minutes)), random));
            rows.add(seeded(i++, "premium", daysAgo(now, 365).plus(Duration.ofMinutes(minutes)), random));
        }
        rows.add(seeded(i, "unlimited", daysAgo(now, 800), random));
        api.ingest(rows);

        assertStatsMatchRawRows(Map.of(), "day");
        assertStatsMatchRawRows(Map.of("date_from", at(now.minus(Duration.ofHours(51)).minusSeconds(1037)),
                "date_to", at(now.minus(Duration.ofMinutes(303)))), "hour");
        assertStatsMatchRawRows(Map.of("date_from", at(daysAgo(now, 100)), "date_to", at(now.plusSeconds(3600))), "day");
        assertStatsMatchRawRows(Map.of("date_from", at(daysAgo(now, 370)), "date_to", at(daysAgo(now, 80))), "hour");
        assertStatsMatchRawRows(Map.of("date_from", at(now.minusSeconds(600)), "date_to", at(now.minusSeconds(300))), "hour");
    }

    private Map<String, Object> seeded(int n, String tier, Instant createdAt, Random random) {
        Map<String, Object> row = event("s" + n, organization, "ch" + random.nextInt(2), tier, createdAt);
        if (random.nextInt(5) > 0) {
            row.put("user_id", "user_" + random.nextInt(12));
        }
        List<String> tags = new ArrayList<>();
        for (String tag : List.of("a", "b", "c", "d")) {
            if (random.nextBoolean()) {
                tags.add(tag);
            }
        }
        row.put("tags", tags);
        return row;
    }

    private void assertStatsMatchRawRows(Map<String, String> range, String granularity) {
        Map<String, Object> params = new HashMap<>(range);
        params.put("organization_id", organization);
        params.put("granularity", granularity);
        params.put("tags_limit", 100);
        JsonPath stats = api.pipe("get_events_stats", params);

        String where = "organization_id = '" + organization + "' AND " + RETENTION
                + (range.containsKey("date_from") ? " AND created_at >= '" + range.get("date_from") + "'" : "")
                + (range.containsKey("date_to") ? " AND created_at < '" + range.get("date_to") + "'" : "");
        String bucket = granularity.equals("hour") ? "toStartOfHour(created_at)" : "toDateTime(toStartOfDay(created_at), 'UTC')";
        JsonPath totals = api.sql("SELECT count() AS events, uniqExact(user_id) AS users FROM events WHERE " + where);
        JsonPath timeline = api.sql("SELECT toString(" + bucket + ") AS bucket, count() AS events, uniqExact(user_id) AS users"
                + " FROM events WHERE " + where + " GROUP BY bucket ORDER BY bucket");
        JsonPath tags = api.sql("SELECT tag, count() AS events FROM events ARRAY JOIN tags AS tag WHERE " + where
                + " GROUP BY tag ORDER BY events DESC, tag");

        String context = range + " by " + granularity;
        assertTrue(totals.getLong("data[0].events") > 0 || range.containsKey("date_to"), context);
        assertEquals(totals.getLong("data[0].events"), stats.getLong("data[0].total_events"), context);
        assertEquals(totals.getLong("data[0].users"), stats.getLong("data[0].unique_users"), context);
        assertEquals(asStrings(timeline.getList("data")), asStrings(stats.getList("data[0].timeline")), context);
        assertEquals(asStrings(tags.getList("data")), asStrings(stats.getList("data[0].tags")), context);
    }

    private static List<String> asStrings(List<Object> rows) {
        return rows.stream().map(String::valueOf).toList();
    }

    @Test
    void wholeBucketsAreReadFromTheAggregatesNotFromRawEvents() {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(30));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(event("h" + i, organization, "ch", "basic", hour.plusSeconds(i * 60L)));
        }
        api.ingest(rows);
        // A materialized view is an insert trigger: deleting raw rows leaves the aggregates as they were.
        embedded.connection().query("DELETE FROM events WHERE organization_id = '" + organization + "'", "TSV");
        assertEquals(0, api.sql("SELECT count() AS n FROM events WHERE organization_id = '" + organization + "'")
                .getLong("data[0].n"));

        Map<String, Object> wholeHours = Map.of("organization_id", organization, "granularity", "hour",
                "date_from", at(hour.minus(Duration.ofHours(1))), "date_to", at(hour.plus(Duration.ofHours(2))));
        assertEquals(50, api.pipe("get_events_stats", wholeHours).getInt("data[0].total_events"));
        // A range that starts mid-hour reads that partial hour from raw rows, which are gone.
        Map<String, Object> partial = Map.of("organization_id", organization, "granularity", "hour",
                "date_from", at(hour.plusSeconds(60)), "date_to", at(hour.plus(Duration.ofHours(2))));
        assertEquals(0, api.pipe("get_events_stats", partial).getInt("data[0].total_events"));
    }

    /**
     * chDB resets SIGSEGV and its kin on connect; the JVM turns them into NullPointerExceptions in compiled
     * code. With the engine connected, hot code dereferencing null must still throw, not kill the process.
     */
    @Test
    void theJvmKeepsItsSignalHandlersWithChdbConnected() {
        embedded.connection();
        int caught = 0;
        for (int i = 0; i < 200_000; i++) {
            try {
                caught += lengthOf(i % 1000 == 0 ? null : "x");
            } catch (NullPointerException expected) {
                caught++;
            }
        }
        assertEquals(199_800 + 200, caught);
    }

    private static int lengthOf(String text) {
        return text.length();
    }

    @Test
    void theTtlDeletesBasicAndPremiumRowsPastTheirBufferAndNeverUnlimitedOnes() {
        Instant now = Instant.now();
        api.ingest(List.of(
                event("basic_101d", organization, "ch", "basic", daysAgo(now, 101)),
                event("basic_50d", organization, "ch", "basic", daysAgo(now, 50)),
                event("premium_401d", organization, "ch", "premium", daysAgo(now, 401)),
                event("premium_300d", organization, "ch", "premium", daysAgo(now, 300)),
                event("unlimited_3000d", organization, "ch", "unlimited", daysAgo(now, 3000))));
        embedded.connection().query("OPTIMIZE TABLE events FINAL", "TSV");
        Set<String> kept = new LinkedHashSet<>(api.sql("SELECT id FROM events WHERE organization_id = '" + organization
                + "' ORDER BY id").getList("data.id"));
        assertEquals(Set.of("basic_50d", "premium_300d", "unlimited_3000d"), kept);
    }
}
