package com.emitkit.events.ingest;

import com.emitkit.events.local.EmbeddedApi;
import com.emitkit.events.tenancy.TestTenants;
import com.emitkit.events.tinybird.TinybirdBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official JavaScript SDK, from the npm registry, against this service: only its base URL changes. */
@QuarkusTest
class SdkContractTest {

    static final String SDK = "@emitkit/js@2.1.0";
    static final Path SDK_DIR = Path.of("target", "sdk");

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    TinybirdBackend backend;

    @BeforeAll
    static void installSdk() throws Exception {
        if (Files.isDirectory(SDK_DIR.resolve("node_modules/@emitkit/js"))) {
            return;
        }
        Files.createDirectories(SDK_DIR);
        Process npm = new ProcessBuilder("npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                SDK_DIR.toAbsolutePath().toString(), SDK).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(npm.waitFor(5, TimeUnit.MINUTES) && npm.exitValue() == 0, "npm install " + SDK + " failed: " + output);
    }

    @Test
    void theOfficialSdkWorksByChangingOnlyItsBaseUrl() throws IOException, InterruptedException {
        TestTenants.Tenant tenant = TestTenants.create("premium", List.of("write"));
        TestTenants.Tenant limited = TestTenants.create("basic", List.of("write"));
        ProcessBuilder node = new ProcessBuilder("node", Path.of("src/test/js/sdk-contract.cjs").toAbsolutePath().toString());
        node.environment().put("SDK_DIR", SDK_DIR.toAbsolutePath().toString());
        node.environment().put("BASE_URL", baseUrl.toString().replaceAll("/$", ""));
        node.environment().put("API_KEY", tenant.key());
        node.environment().put("LIMITED_API_KEY", limited.key());
        Process process = node.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the SDK script did not finish");
        assertEquals(0, process.exitValue(), "SDK expectations failed:\n" + stderr + stdout);

        JsonPath result = JsonPath.from(stdout.strip());
        assertEquals(20, result.getInt("limit"));
        EmbeddedApi tinybird = new EmbeddedApi(backend);
        JsonPath event = tinybird.sql("SELECT * FROM events WHERE id = '" + result.getString("createdId") + "'");
        assertEquals(tenant.organizationId(), event.getString("data[0].organization_id"));
        assertEquals("premium", event.getString("data[0].retention_tier"));
        assertEquals("user_sdk", event.getString("data[0].user_id"), "the alias was resolved to the user id");
        assertEquals("sdk-test", event.getString("data[0].source"));
        assertEquals(1, tinybird.sql("SELECT count() AS n FROM events WHERE organization_id = '" + tenant.organizationId()
                + "' AND channel_name = 'orders'").getInt("data[0].n"), "the idempotent replay wrote nothing");
    }
}
