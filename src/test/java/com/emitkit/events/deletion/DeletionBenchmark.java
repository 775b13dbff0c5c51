package com.emitkit.events.deletion;

import com.emitkit.events.BenchmarkProfile;
import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.local.EmbeddedTinybirdAccess;
import com.emitkit.events.tenancy.Deletions;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * How long a deletion's pass takes on one million events of one organization (20 sites, 1,000 users, 300 days),
 * as {@link DeletionWorker} runs it against the embedded engine: the outbox, the lookup of the touched buckets,
 * their append to {@code events_corrected_buckets}, Tinybird's Delete API and the job polled until done.
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(BenchmarkProfile.class)
class DeletionBenchmark {

    private static final int EVENTS = 1_000_000;
    /** Fresh per run: the deletions recorded in PostgreSQL outlive the engine's data folder. */
    private static final String ORGANIZATION = EmbeddedApi.unique("org_delete_bench");

    @Inject
    TinybirdBackend backend;
    @Inject
    EmbeddedTinybirdAccess engine;
    @Inject
    Deletions deletions;
    @Inject
    DeletionWorker worker;

    @Test
    void deletionsOnOneMillionEvents() {
        engine.execute("""
                INSERT INTO events (id, organization_id, site_id, channel_id, retention_tier, title, tags, user_id, created_at)
                SELECT concat('del_', toString(number)), '%s', concat('site_', toString(number %% 20)),
                       concat('ch_', toString(number %% 5)), 'unlimited', 'Event', ['t'], concat('user_', toString(number %% 1000)),
                       now64(3, 'UTC') - toIntervalMillisecond(number * 25920)
                FROM numbers(%d)""".formatted(ORGANIZATION, EVENTS));
        EmbeddedApi api = new EmbeddedApi(backend);
        System.out.printf("%ndeletion passes on %,d events of one organization (Delete API job polled every %s)%n", EVENTS,
                "50 ms");
        measure(api, "one event", 5, 1, run -> request(Deletions.Kind.EVENT, "del_" + (run * 7919 + 11), "site_" + ((run * 7919 + 11) % 20), null));
        measure(api, "one user (1,000 events)", 3, 1_000, run -> request(Deletions.Kind.IDENTITY, null, null, List.of("user_" + (500 + run))));
        // Sites 12 to 14: the single events deleted above are of other sites.
        measure(api, "one site (50,000 events)", 3, 50_000, run -> request(Deletions.Kind.SITE, null, "site_" + (12 + run), null));
    }

    private static Deletions.Request request(Deletions.Kind kind, String eventId, String siteId, List<String> userIds) {
        return new Deletions.Request(ORGANIZATION, kind, eventId, siteId, userIds, userIds == null ? null : Instant.now(), "benchmark");
    }

    private void measure(EmbeddedApi api, String label, int runs, long expected, IntFunction<Deletions.Request> request) {
        double[] millis = new double[runs];
        for (int run = 0; run < runs; run++) {
            Deletions.Deletion recorded = deletions.record(request.apply(run), Duration.ofMinutes(10)).await().atMost(Duration.ofSeconds(10))
                    .deletion();
            long start = System.nanoTime();
            Deletions.Deletion passed = worker.pass(recorded).await().atMost(Duration.ofMinutes(10));
            millis[run] = (System.nanoTime() - start) / 1e6;
            assertNull(passed.lastError());
            assertEquals(expected, passed.eventsDeleted());
        }
        long left = Long.parseLong(api.sql("SELECT count() AS n FROM events WHERE organization_id = '" + ORGANIZATION + "'")
                .getString("data[0].n"));
        Arrays.sort(millis);
        System.out.printf("%-28s %d runs   p50 %8.1f ms   max %8.1f ms   (%,d events left)%n", label, runs, millis[runs / 2],
                millis[runs - 1], left);
    }
}
