package com.emitkit.events.admin;

import com.emitkit.events.tenancy.TestTenants;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** Every admin error in the API's error shape; scopes required; names bounded. */
@QuarkusTest
class AdminErrorsTest {

    TestTenants.Tenant tenant;

    @BeforeEach
    void tenant() {
        tenant = TestTenants.create("basic", List.of("write"));
    }

    private static ValidatableResponse send(String method, String path, String body) {
        return given().header("Authorization", TestTenants.ADMIN).contentType("application/json").body(body)
                .request(method, path).then();
    }

    private static void invalid(ValidatableResponse response, List<Object> path) {
        response.statusCode(400).body("success", equalTo(false)).body("error", equalTo("Validation failed"))
                .body("requestId", startsWith("req_")).body("details.path", hasItem(path))
                .body("$", not(org.hamcrest.Matchers.hasKey("objectName")));
    }

    @Test
    void aFieldOfTheWrongTypeIsAViolationNotJacksonInternals() {
        invalid(send("POST", "/admin/organizations", "{\"name\":5}"), List.of("name"));
        invalid(send("POST", "/admin/organizations", "{\"name\":\"Acme\",\"retentionTier\":[\"premium\"]}"), List.of("retentionTier"));
        invalid(send("PATCH", "/admin/organizations/" + tenant.organizationId(), "{\"retentionTier\":{}}"), List.of("retentionTier"));
        invalid(send("POST", "/admin/organizations/" + tenant.organizationId() + "/api-keys",
                "{\"siteId\":\"" + tenant.siteId() + "\",\"scopes\":\"read\"}"), List.of("scopes"));
    }

    @Test
    void anArrayOrMalformedBodyGetsAClearError() {
        send("POST", "/admin/organizations", "[{\"name\":\"Acme\"}]").statusCode(400)
                .body("error", equalTo("Validation failed")).body("details[0].message", equalTo("Expected a JSON object"));
        send("POST", "/admin/organizations", "{\"name\":").statusCode(400).body("error", containsString("not valid JSON"))
                .body("requestId", startsWith("req_"));
        send("PATCH", "/admin/organizations/" + tenant.organizationId(), "").statusCode(400).body("error", containsString("empty"));
        given().header("Authorization", TestTenants.ADMIN).contentType("text/plain").body("name=Acme").post("/admin/organizations")
                .then().statusCode(415).body("success", equalTo(false)).body("requestId", startsWith("req_"));
    }

    @Test
    void aKeyNeedsScopesOfTheKnownOnes() {
        String keys = "/admin/organizations/" + tenant.organizationId() + "/api-keys";
        invalid(send("POST", keys, "{\"siteId\":\"" + tenant.siteId() + "\"}"), List.of("scopes"));
        invalid(send("POST", keys, "{\"siteId\":\"" + tenant.siteId() + "\",\"scopes\":[]}"), List.of("scopes"));
        invalid(send("POST", keys, "{\"siteId\":\"" + tenant.siteId() + "\",\"scopes\":[\"read\",\"admin\"]}"), List.of("scopes", 1));
        invalid(send("POST", keys, "{\"scopes\":[\"read\"]}"), List.of("siteId"));
        send("POST", keys, "{\"siteId\":\"" + tenant.siteId() + "\",\"scopes\":[\"read\"]}").statusCode(201)
                .body("data.scopes", equalTo(List.of("read")));
    }

    @Test
    void namesAreBounded() {
        String longest = "n".repeat(AdminRequest.MAX_NAME);
        send("POST", "/admin/organizations", "{\"name\":\"" + longest + "\"}").statusCode(201);
        invalid(send("POST", "/admin/organizations", "{\"name\":\"" + longest + "n\"}"), List.of("name"));
        invalid(send("POST", "/admin/organizations", "{\"name\":\"  \"}"), List.of("name"));
        invalid(send("POST", "/admin/organizations/" + tenant.organizationId() + "/sites", "{\"name\":\"" + longest + "s\"}"),
                List.of("name"));
        invalid(send("POST", "/admin/organizations/" + tenant.organizationId() + "/api-keys",
                "{\"siteId\":\"" + tenant.siteId() + "\",\"name\":\"" + longest + "k\",\"scopes\":[\"write\"]}"), List.of("name"));
    }

    @Test
    void unknownOrganizationsAndKeysAre404InTheSameShape() {
        given().header("Authorization", TestTenants.ADMIN).get("/admin/organizations/org_nope").then().statusCode(404)
                .body("success", equalTo(false)).body("requestId", startsWith("req_"));
        given().header("Authorization", TestTenants.ADMIN).delete("/admin/organizations/" + tenant.organizationId() + "/api-keys/key_nope")
                .then().statusCode(404).body("success", equalTo(false));
        given().header("Authorization", "Bearer wrong").get("/admin/organizations/org_nope").then().statusCode(401)
                .body("success", equalTo(false)).body("requestId", startsWith("req_"));
    }
}
