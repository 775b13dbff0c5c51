package com.emitkit.events.query;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;

/** With EMITKIT_DASHBOARD_TOKENS_AUDIENCE set, a dashboard token must name that audience. */
@QuarkusTest
@TestProfile(DashboardTokenAudienceTest.WithAudience.class)
class DashboardTokenAudienceTest {

    public static class WithAudience implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("emitkit.dashboard-tokens.audience", "emitkit-events");
        }
    }

    @Test
    void onlyATokenForThisAudienceReads() {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("write"));
        Instant now = Instant.now();
        for (Map.Entry<String, Integer> audience : Map.of("emitkit-events", 200, "another-service", 401).entrySet()) {
            String token = Jwt.issuer(DashboardTokenTest.ISSUER).audience(audience.getKey()).claim("org", tenant.organizationId())
                    .issuedAt(now).expiresAt(now.plusSeconds(300)).signWithSecret(DashboardTokenTest.SECRET);
            given().header("Authorization", "Bearer " + token).get("/v1/events").then().statusCode(audience.getValue());
        }
        String noAudience = Jwt.issuer(DashboardTokenTest.ISSUER).claim("org", tenant.organizationId())
                .issuedAt(now).expiresAt(now.plusSeconds(300)).signWithSecret(DashboardTokenTest.SECRET);
        given().header("Authorization", "Bearer " + noAudience).get("/v1/events").then().statusCode(401);
    }
}
