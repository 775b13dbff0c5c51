package com.emitkit.events.tenancy;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;

/** Organizations with a site and a key, made through the admin API of the application under test. */
public final class TestTenants {

    public static final String ADMIN = "Bearer test-admin-token";

    /** An organization with a site and an API key. */
    public record Tenant(String organizationId, String siteId, String key, String keyId) {
    }

    private TestTenants() {
    }

    public static Tenant create(String tier, List<String> scopes) {
        String org = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "Acme", "retentionTier", tier)).post("/admin/organizations")
                .then().statusCode(201).extract().path("data.id");
        String site = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "web")).post("/admin/organizations/" + org + "/sites")
                .then().statusCode(201).extract().path("data.id");
        JsonPath key = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body(Map.of("siteId", site, "scopes", scopes)).post("/admin/organizations/" + org + "/api-keys")
                .then().statusCode(201).extract().jsonPath();
        return new Tenant(org, site, key.getString("data.key"), key.getString("data.id"));
    }

    /** Moves an organization to another tier, as the dashboard backend does on a plan change. */
    public static void changeTier(Tenant tenant, String tier) {
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("retentionTier", tier))
                .patch("/admin/organizations/" + tenant.organizationId()).then().statusCode(200);
    }
}
