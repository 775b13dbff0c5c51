package com.emitkit.events;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * Shared by every benchmark, so that they run in one application start: a new embedded-engine data
 * folder (start-up includes creating every table) and rate limits out of the way.
 */
public class BenchmarkProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("emitkit.local.data-dir", "target/emitkit-bench-" + System.currentTimeMillis(),
                "emitkit.api.rate-limit.unlimited", "1000000000");
    }
}
