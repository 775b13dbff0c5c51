package com.emitkit.events.query;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.query.SseClient.Connection;
import com.emitkit.events.query.SseClient.Received;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live stream over real SSE connections, polling the embedded Tinybird every 200 ms (test profile). */
@QuarkusTest
class StreamTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    TinybirdBackend backend;

    @Inject
    LiveStreams streams;

    TestTenants.Tenant tenant;
    String channelId;
    SseClient sse;

    @BeforeEach
    void setUp() {
        tenant = TestTenants.create("premium", List.of("write", "read"));
        channelId = given().header("Authorization", "Bearer " + tenant.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", "live", "title", "creates the channel")).post("/v1/events")
                .then().statusCode(201).extract().path("data.channelId");
        sse = new SseClient(base);
    }

    private Connection connect(String lastEventId) {
        return sse.connect("live", tenant.key(), lastEventId);
    }

    private void seed(List<String> ids, Instant at) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> row = EmbeddedApi.event(id, tenant.organizationId(), channelId, "premium", at);
            row.put("site_id", tenant.siteId());
            rows.add(row);
        }
        new EmbeddedApi(backend).ingest(rows);
    }

    private void awaitPolling() throws InterruptedException {
        for (int i = 0; i < 50 && streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId) < 2; i++) {
            Thread.sleep(100);
        }
    }

    @Test
    void manySubscribersShareOnePollAndEachGetsEveryEventOnceInOrder() throws Exception {
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            connections.add(connect(null));
        }
        awaitPolling();
        drain(connections);
        long pollsBefore = streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId);
        Instant sameMillisecond = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        seed(List.of("m_c", "m_a", "m_b"), sameMillisecond);
        seed(List.of("m_d"), sameMillisecond.plusMillis(1));
        for (Connection connection : connections) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Received event = connection.next();
                assertEquals("event", event.name());
                ids.add(event.id());
            }
            assertEquals(List.of("m_a", "m_b", "m_c", "m_d"), ids);
        }
        Thread.sleep(1000);
        long polls = streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId) - pollsBefore;
        assertTrue(polls <= 20, "20 subscribers over a few 200 ms intervals made " + polls + " polls, not one per subscriber");
        for (Connection connection : connections) {
            assertTrue(connection.events().stream().noneMatch(e -> "event".equals(e.name())), "no event arrived twice");
            connection.close();
        }
        for (int i = 0; i < 50 && streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId) > 0; i++) {
            Thread.sleep(100);
        }
        assertEquals(0, streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId), "the poller stopped");
    }

    @Test
    void lastEventIdResumesWithoutGapsOrDuplicates() throws Exception {
        Connection first = connect(null);
        awaitPolling();
        drain(List.of(first));
        seed(List.of("r1", "r2"), Instant.now());
        assertEquals("r1", first.next().id());
        assertEquals("r2", first.next().id());
        Connection keepsPollerAlive = connect(null);
        first.close();
        seed(List.of("r3", "r4"), Instant.now());
        Thread.sleep(600);
        Connection resumed = connect("r2");
        assertEquals("r3", resumed.next().id());
        assertEquals("r4", resumed.next().id());
        Thread.sleep(600);
        assertTrue(resumed.events().stream().noneMatch(e -> "event".equals(e.name())));

        Connection stale = connect("evt_long_gone");
        assertEquals("resync", stale.next().name());
        resumed.close();
        stale.close();
        keepsPollerAlive.close();
    }

    @Test
    void aLastEventIdThisReplicaNoLongerHoldsIsResumedFromTinybird() throws Exception {
        Connection first = connect(null);
        awaitPolling();
        drain(List.of(first));
        seed(List.of("t1", "t2"), Instant.now());
        assertEquals("t1", first.next().id());
        assertEquals("t2", first.next().id());
        first.close();
        for (int i = 0; i < 50 && streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId) > 0; i++) {
            Thread.sleep(100);
        }
        assertEquals(0, streams.pollsOf(tenant.organizationId(), tenant.siteId(), channelId), "the channel's poller, and its memory, are gone");
        Instant later = Instant.now();
        seed(List.of("t3"), later);
        seed(List.of("t4"), later.plusMillis(1));

        Connection resumed = connect("t1");
        assertEquals(List.of("t2", "t3", "t4"), resumed.untilQuiet(1000).stream().map(Received::id).toList(),
                "what followed t1, each once, although the new poller also read t3 and t4");
        seed(List.of("t5"), Instant.now());
        assertEquals("t5", resumed.next().id());
        resumed.close();
    }

    @Test
    void streamsNeedAReadKeyAndAKnownChannelOfTheCallersOrganization() {
        given().get("/v1/channels/live/stream").then().statusCode(401);
        given().header("Authorization", "Bearer " + tenant.key()).get("/v1/channels/nope/stream").then().statusCode(404);
        TestTenants.Tenant other = TestTenants.create("premium", List.of("read"));
        given().header("Authorization", "Bearer " + other.key()).get("/v1/channels/live/stream").then().statusCode(404);
    }

    /** Skips what the first polls delivered (the channel-creating event) and heartbeats. */
    private static void drain(List<Connection> connections) throws InterruptedException {
        Thread.sleep(500);
        connections.forEach(c -> c.events().clear());
    }
}
