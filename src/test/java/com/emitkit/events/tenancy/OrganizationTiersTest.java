package com.emitkit.events.tenancy;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** The widest tier an organization ever held, kept by the tier changes of the admin API. */
@QuarkusTest
class OrganizationTiersTest {

    private static void assertTiers(TestTenants.Tenant tenant, String current, String widest) {
        given().header("Authorization", TestTenants.ADMIN).get("/admin/organizations/" + tenant.organizationId())
                .then().statusCode(200).body("data.tier", equalTo(current)).body("data.widestTier", equalTo(widest));
    }

    @Test
    void theWidestTierEverOnlyGrows() {
        TestTenants.Tenant tenant = TestTenants.create("basic", List.of("read"));
        assertTiers(tenant, "basic", "basic");
        TestTenants.changeTier(tenant, "premium");
        assertTiers(tenant, "premium", "premium");
        TestTenants.changeTier(tenant, "basic");
        assertTiers(tenant, "basic", "premium");
        TestTenants.changeTier(tenant, "unlimited");
        TestTenants.changeTier(tenant, "premium");
        assertTiers(tenant, "premium", "unlimited");
    }
}
