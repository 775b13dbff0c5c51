package com.emitkit.events;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shared by every benchmark, so that they run in one application start: a new embedded-engine data
 * folder (start-up includes creating every table) and rate limits out of the way.
 */
public class BenchmarkProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("emitkit.local.data-dir", "target/emitkit-bench-" + System.currentTimeMillis(),
                "emitkit.api.rate-limit.unlimited", "1000000000",
                // DeletionBenchmark: a delete job's end is seen within 50 ms, so the figure is the job's, not the poll's.
                "emitkit.deletions.job-poll-interval", "50ms");
    }

    /** This process's resident memory: the service, both embedded engines (chDB in-process) and the test code. */
    public static long rssMegabytes() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong).findFirst().orElse(0) / 1024;
    }
}
