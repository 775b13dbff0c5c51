package com.emitkit.events.query;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.retention.RetentionClock;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Retention through the service's own endpoints (list, stats, and the stream's replay after a Last-Event-ID),
 * by tier, with the read path's clock fixed at "day 150" of the setup guide's example. That day is 100 days
 * ahead of the machine's clock, so that every row hidden here (day 0 is 50 days ago, the 400-day-old
 * premium event 300 days ago) would still pass the pipes' own windows, which use the engine's clock: what
 * this test sees is the retention module's doing, by its clock.
 */
@QuarkusTest
class RetentionMatrixTest {

    private static final Instant DAY_150 = Instant.now().plus(Duration.ofDays(100)).truncatedTo(ChronoUnit.SECONDS);
    /** Before any window: a range asking for more than any tier keeps. */
    private static final String THREE_YEARS_BEFORE = DAY_150.minus(Duration.ofDays(1100)).toString();

    @TestHTTPResource("/")
    URL base;

    @Inject
    TinybirdBackend backend;

    @Inject
    Channels channels;

    @Inject
    LiveStreams streams;

    /** An organization (read key), its channel, and the events seeded in it. */
    record Org(TestTenants.Tenant tenant, String channelId, List<Seeded> events) {
    }

    record Seeded(String id, String tier, Instant createdAt) {
    }

    @BeforeEach
    void fixTheClock() {
        QuarkusMock.installMockForType(Clock.fixed(DAY_150, ZoneOffset.UTC), Clock.class, RetentionClock.Literal.INSTANCE);
    }

    private static Instant day(int day) {
        return DAY_150.minus(Duration.ofDays(150 - day));
    }

    private static Instant daysOld(int days) {
        return DAY_150.minus(Duration.ofDays(days));
    }

    /** An organization through the admin API, with its tier history, and its events written straight to the engine. */
    private Org org(List<String> tiers, List<Seeded> events) {
        TestTenants.Tenant tenant = TestTenants.create(tiers.getFirst(), List.of("read"));
        tiers.subList(1, tiers.size()).forEach(tier -> TestTenants.changeTier(tenant, tier));
        String channelId = channels.resolve(tenant.organizationId(), tenant.siteId(), "payments", "", "").await().indefinitely().id();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Seeded event : events) {
            Map<String, Object> row = EmbeddedApi.event(event.id(), tenant.organizationId(), channelId, event.tier(), event.createdAt());
            row.put("site_id", tenant.siteId());
            rows.add(row);
        }
        new EmbeddedApi(backend).ingest(rows);
        return new Org(tenant, channelId, events);
    }

    /** The ids expected, newest first, as the list shows them. */
    private static List<String> newestFirst(Org org, String... ids) {
        List<String> wanted = List.of(ids);
        return org.events().stream().filter(e -> wanted.contains(e.id()))
                .sorted(Comparator.comparing(Seeded::createdAt).reversed()).map(Seeded::id).toList();
    }

    private static List<String> listed(String credential) {
        return given().header("Authorization", "Bearer " + credential).queryParam("channel", "payments")
                .queryParam("date_from", THREE_YEARS_BEFORE).get("/v1/events")
                .then().statusCode(200).extract().jsonPath().getList("data.events.id");
    }

    /** Stats over a range reaching three years back, up to the default end: the fixed clock's now. */
    private static JsonPath stats(Org org) {
        return given().header("Authorization", "Bearer " + org.tenant().key()).queryParam("channel", "payments")
                .queryParam("date_from", THREE_YEARS_BEFORE).get("/v1/stats")
                .then().statusCode(200).extract().jsonPath();
    }

    /**
     * What a subscriber reconnecting with this Last-Event-ID receives at once: replayed ids, or "resync".
     * Each reconnects once the previous one's poller stopped, as to another replica: its memory cannot help.
     */
    private List<String> replayedAfter(Org org, String lastEventId) throws InterruptedException {
        SseClient.Connection connection = new SseClient(base).connect("payments", org.tenant().key(), lastEventId);
        try {
            return connection.untilQuiet(1500).stream().map(e -> "resync".equals(e.name()) ? "resync" : e.id()).toList();
        } finally {
            connection.close();
            for (int i = 0; i < 50 && streams.pollsOf(org.tenant().organizationId(), org.tenant().siteId(), org.channelId()) > 0; i++) {
                Thread.sleep(100);
            }
        }
    }

    @Test
    void theSetupGuidesExample() {
        // Premium long ago, basic by day 0, premium again from day 60: its widest tier is premium.
        Org org = org(List.of("premium", "basic", "premium"), List.of(
                new Seeded("guide_premium_400d", "premium", daysOld(400)),
                new Seeded("guide_premium_350d", "premium", daysOld(350)),
                new Seeded("guide_A", "basic", day(0)),
                new Seeded("guide_B", "premium", day(61)),
                // A row older than any window of a never-unlimited organization: only the clamp keeps it out.
                new Seeded("guide_stray_unlimited_2y", "unlimited", daysOld(730))));

        List<String> visible = newestFirst(org, "guide_B", "guide_premium_350d");
        String token = Jwt.issuer(DashboardTokenTest.ISSUER).subject("dashboard-user").claim("org", org.tenant().organizationId())
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(300)).signWithSecret(DashboardTokenTest.SECRET);
        assertAll(
                () -> assertEquals(visible, listed(org.tenant().key()), "list: A (basic, day 0) and the 400-day-old premium event are gone"),
                () -> assertEquals(visible, listed(token), "a dashboard token's caller is clamped the same way"),
                () -> {
                    JsonPath stats = stats(org);
                    assertEquals(2, stats.getInt("data.totalEvents"), "stats count B and the 350-day-old premium event only");
                    assertEquals(daysOld(350).truncatedTo(ChronoUnit.DAYS).toString().replace("T", " ").replace("Z", ""),
                            stats.getString("data.timeline[0].bucket"), "no bucket before the premium window");
                },
                () -> assertEquals(List.of("guide_B"), replayedAfter(org, "guide_premium_350d"),
                        "stream: after the 350-day-old event, B but not A"),
                () -> assertEquals(List.of("resync"), replayedAfter(org, "guide_premium_400d"), "an expired event cannot be resumed from"),
                () -> assertEquals(List.of("resync"), replayedAfter(org, "guide_stray_unlimited_2y"),
                        "nor one older than the organization's widest window: nothing older is replayed"));
    }

    @Test
    void anOrganizationThatWasEverUnlimitedSeesItsUnlimitedEventsOfAnyAge() {
        Org org = org(List.of("unlimited", "premium", "basic"), List.of(
                new Seeded("u_unlimited_3y", "unlimited", daysOld(1095)),
                new Seeded("u_unlimited_2y", "unlimited", daysOld(730)),
                new Seeded("u_premium_400d", "premium", daysOld(400)),
                new Seeded("u_basic_day0", "basic", day(0)),
                new Seeded("u_premium_day61", "premium", day(61)),
                new Seeded("u_basic_day100", "basic", day(100))));

        assertAll(
                () -> assertEquals(newestFirst(org, "u_unlimited_3y", "u_unlimited_2y", "u_premium_day61", "u_basic_day100"),
                        listed(org.tenant().key())),
                () -> assertEquals(4, stats(org).getInt("data.totalEvents")),
                () -> assertEquals(List.of("u_unlimited_2y", "u_premium_day61", "u_basic_day100"), replayedAfter(org, "u_unlimited_3y"),
                        "stream: the 2-year-old unlimited event, not the expired premium and basic ones"));
    }

    @Test
    void aBasicOrganizationSeesNinetyDaysAndNothingOlder() {
        Org org = org(List.of("basic"), List.of(
                // Only the clamp keeps out this row: the premium window would show it.
                new Seeded("b_stray_premium_200d", "premium", daysOld(200)),
                new Seeded("b_basic_day0", "basic", day(0)),
                new Seeded("b_basic_day80", "basic", day(80)),
                new Seeded("b_basic_day100", "basic", day(100))));

        assertAll(
                () -> assertEquals(newestFirst(org, "b_basic_day80", "b_basic_day100"), listed(org.tenant().key())),
                () -> assertEquals(2, stats(org).getInt("data.totalEvents")),
                () -> assertEquals(List.of("b_basic_day100"), replayedAfter(org, "b_basic_day80")),
                () -> assertEquals(List.of("resync"), replayedAfter(org, "b_basic_day0")),
                () -> assertEquals(List.of("resync"), replayedAfter(org, "b_stray_premium_200d"), "a range beyond the window replays nothing"));
    }

    @Test
    void aPremiumOrganizationThatWasNeverUnlimitedGetsNoRowsBeyondItsWindow() {
        Org org = org(List.of("basic", "premium"), List.of(
                new Seeded("p_stray_unlimited_400d", "unlimited", daysOld(400)),
                new Seeded("p_premium_300d", "premium", daysOld(300))));

        assertAll(
                () -> assertEquals(List.of("p_premium_300d"), listed(org.tenant().key())),
                () -> assertEquals(List.of("p_premium_300d"), given().header("Authorization", "Bearer " + org.tenant().key())
                        .get("/v1/events").then().statusCode(200).extract().jsonPath().getList("data.events.id"),
                        "without a range, the list starts at the window too"),
                () -> assertEquals(1, stats(org).getInt("data.totalEvents")),
                () -> assertEquals(List.of("resync"), replayedAfter(org, "p_stray_unlimited_400d")));
    }
}
