package com.emitkit.events.retention;

import com.emitkit.events.config.TestConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetentionGateTest {

    private final Clock day150 = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void cutoffsComeFromTheClockAndTheConfiguredWindows() {
        RetentionGate gate = new RetentionGate(null, TestConfig.emitKit(Map.of()).retention(), day150);
        Map<String, String> rewritten = gate.rewrite(Map.of("organization_id", "org_1", "date_from", "2020-01-01 00:00:00.000"));
        assertEquals("2026-03-03 12:00:00.000", rewritten.get("basic_cutoff"));
        assertEquals("2025-06-01 12:00:00.000", rewritten.get("premium_cutoff"));
        assertEquals("org_1", rewritten.get("organization_id"));

        RetentionGate shorter = new RetentionGate(null, TestConfig.emitKit(Map.of("emitkit.retention.basic", "30d")).retention(),
                day150);
        assertEquals("2026-05-02 12:00:00.000", shorter.rewrite(Map.of()).get("basic_cutoff"));
    }

    @Test
    void aCallersOwnCutoffsAreNeverPassedOn() {
        RetentionGate gate = new RetentionGate(null, TestConfig.emitKit(Map.of()).retention(), day150);
        Map<String, String> rewritten = gate.rewrite(Map.of("basic_cutoff", "1970-01-01 00:00:00.000",
                "premium_cutoff", "1970-01-01 00:00:00.000"));
        assertEquals("2026-03-03 12:00:00.000", rewritten.get("basic_cutoff"));
        assertEquals("2025-06-01 12:00:00.000", rewritten.get("premium_cutoff"));
    }

    @Test
    void everyPipeCallGoesThroughTheRetentionModule() throws IOException {
        Path main = Path.of("src/main/java/com/emitkit/events");
        List<Path> callers;
        try (Stream<Path> files = Files.walk(main)) {
            callers = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> read(f).contains(".queryPipe(")).toList();
        }
        assertEquals(List.of(main.resolve("retention/RetentionGate.java")), callers);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
