package com.emitkit.events.query;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Reads with short-lived dashboard tokens (HS256 in the test profile) instead of API keys. */
@QuarkusTest
class DashboardTokenTest {

    static final String SECRET = "test-dashboard-secret-of-at-least-32-bytes!!";
    static final String ISSUER = "https://dashboard.test";

    TestTenants.Tenant tenant;
    String payments;
    String other;

    @BeforeEach
    void seed() {
        tenant = TestTenants.create("premium", List.of("write"));
        payments = write(tenant, "payments", "paid");
        other = write(tenant, "signups", "joined");
    }

    private static String write(TestTenants.Tenant t, String channel, String title) {
        return given().header("Authorization", "Bearer " + t.key()).contentType(ContentType.JSON)
                .body(Map.of("channelName", channel, "title", title)).post("/v1/events")
                .then().statusCode(201).extract().path("data.id");
    }

    private static JwtClaimsBuilder claims(String organizationId) {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER).subject("dashboard-user-1").claim("org", organizationId)
                .issuedAt(now).expiresAt(now.plusSeconds(300));
    }

    private static RequestSpecification with(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void aTokenReadsItsOrganization() {
        String token = claims(tenant.organizationId()).signWithSecret(SECRET);
        with(token).get("/v1/events").then().statusCode(200).body("data.events.id", equalTo(List.of(other, payments)));
        with(token).queryParam("channel", "payments").get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(payments)));
        with(token).get("/v1/stats").then().statusCode(200).body("data.totalEvents", equalTo(2));
        // Reads only.
        with(token).contentType(ContentType.JSON).body(Map.of("channelName", "c", "title", "t")).post("/v1/events")
                .then().statusCode(403).body("error", containsString("write"));
    }

    @Test
    void theOrganizationComesFromTheTokenOnly() {
        TestTenants.Tenant intruder = TestTenants.create("basic", List.of("write"));
        String token = claims(intruder.organizationId()).signWithSecret(SECRET);
        with(token).queryParam("organization_id", tenant.organizationId()).get("/v1/events")
                .then().statusCode(200).body("data.events.size()", equalTo(0));
        with(token).queryParam("channel", "payments").get("/v1/events")
                .then().statusCode(200).body("data.events.size()", equalTo(0));
    }

    @Test
    void aTokenNarrowedToChannelsSeesOnlyThem() {
        String token = claims(tenant.organizationId()).claim("channels", List.of("payments")).signWithSecret(SECRET);
        with(token).queryParam("channel", "payments").get("/v1/events").then().statusCode(200)
                .body("data.events.id", equalTo(List.of(payments)));
        with(token).queryParam("channel", "signups").get("/v1/events").then().statusCode(403);
        with(token).get("/v1/events").then().statusCode(403).body("error", containsString("name one"));
        with(token).get("/v1/channels/signups/stream").then().statusCode(403);
    }

    @Test
    void claimsOfTheWrongTypeAre401InTheContractsShape() {
        Instant now = Instant.now();
        List<JwtClaimsBuilder> malformed = List.of(
                Jwt.issuer(ISSUER).subject("u").claim("org", 42),
                Jwt.issuer(ISSUER).subject("u").claim("org", Map.of("id", tenant.organizationId())),
                Jwt.issuer(ISSUER).subject("u").claim("org", List.of(tenant.organizationId())),
                Jwt.issuer(ISSUER).subject("u").claim("org", true),
                claims(tenant.organizationId()).claim("site", 7),
                claims(tenant.organizationId()).claim("site", List.of("site_1")),
                // A narrowing that is not an array of names must not be read as "every channel".
                claims(tenant.organizationId()).claim("channels", "payments"),
                claims(tenant.organizationId()).claim("channels", List.of(1, 2)));
        for (JwtClaimsBuilder claims : malformed) {
            String token = claims.issuedAt(now).expiresAt(now.plusSeconds(300)).signWithSecret(SECRET);
            with(token).get("/v1/events").then().statusCode(401)
                    .body("success", equalTo(false))
                    .body("error", containsString("claim must be"))
                    .body("requestId", startsWith("req_"));
        }
    }

    @Test
    void theDocumentedClaimsAloneAreEnough() {
        Instant now = Instant.now();
        String token = Jwt.claims().issuer(ISSUER).claim("org", tenant.organizationId()).issuedAt(now)
                .expiresAt(now.plusSeconds(300)).signWithSecret(SECRET);
        with(token).get("/v1/events").then().statusCode(200).body("data.events.id", equalTo(List.of(other, payments)));
    }

    @Test
    void aTokenFromTheFutureOrNotValidYetIs401() {
        Instant inTenYears = Instant.now().plusSeconds(10L * 365 * 24 * 3600);
        with(claims(tenant.organizationId()).issuedAt(inTenYears).expiresAt(inTenYears.plusSeconds(3600)).signWithSecret(SECRET))
                .get("/v1/events").then().statusCode(401).body("error", containsString("issued in the future"));
        Instant now = Instant.now();
        with(claims(tenant.organizationId()).claim("nbf", now.plusSeconds(600).getEpochSecond()).signWithSecret(SECRET))
                .get("/v1/events").then().statusCode(401).body("success", equalTo(false));
        // Within the clock skew (60 s), an issuer slightly ahead of us is still accepted.
        with(claims(tenant.organizationId()).issuedAt(now.plusSeconds(20)).expiresAt(now.plusSeconds(320)).signWithSecret(SECRET))
                .get("/v1/events").then().statusCode(200);
    }

    @Test
    void badTokensAre401() {
        Instant now = Instant.now();
        for (String bad : List.of(
                claims(tenant.organizationId()).signWithSecret("another-secret-of-at-least-32-bytes-long!!"),
                Jwt.issuer(ISSUER).claim("org", tenant.organizationId()).issuedAt(now.minusSeconds(600))
                        .expiresAt(now.minusSeconds(300)).signWithSecret(SECRET),
                Jwt.issuer(ISSUER).claim("org", tenant.organizationId()).issuedAt(now)
                        .expiresAt(now.plusSeconds(7200)).signWithSecret(SECRET),
                Jwt.issuer("https://elsewhere").claim("org", tenant.organizationId()).issuedAt(now)
                        .expiresAt(now.plusSeconds(300)).signWithSecret(SECRET),
                claims("org_does_not_exist").signWithSecret(SECRET),
                "not.a.jwt")) {
            with(bad).get("/v1/events").then().statusCode(401).body("success", equalTo(false));
        }
    }
}
