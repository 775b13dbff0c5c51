package com.emitkit.events.retention;

import com.emitkit.events.config.TestConfig;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.tinybird.EndpointPipe;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionGateTest {

    private final Clock day150 = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
    private final RetentionGate gate = new RetentionGate(null, null, TestConfig.emitKit(Map.of()).retention(), day150);

    private static final String BASIC_WINDOW_START = "2026-03-03 12:00:00.000";
    private static final String PREMIUM_WINDOW_START = "2025-06-01 12:00:00.000";
    private static final String LONG_AGO = "2020-01-01 00:00:00.000";
    private static final String LAST_WEEK = "2026-05-25 00:00:00.000";

    @Test
    void cutoffsComeFromTheClockAndTheConfiguredWindows() {
        Map<String, String> rewritten = gate.rewrite(EndpointPipe.GET_EVENTS_PAGINATED, RetentionTier.UNLIMITED,
                Map.of("organization_id", "org_1", "date_from", LONG_AGO));
        assertEquals(BASIC_WINDOW_START, rewritten.get("basic_cutoff"));
        assertEquals(PREMIUM_WINDOW_START, rewritten.get("premium_cutoff"));
        assertEquals("org_1", rewritten.get("organization_id"));

        RetentionGate shorter = new RetentionGate(null, null, TestConfig.emitKit(Map.of("emitkit.retention.basic", "30d")).retention(),
                day150);
        assertEquals("2026-05-02 12:00:00.000",
                shorter.rewrite(EndpointPipe.GET_EVENTS_STATS, RetentionTier.BASIC, Map.of()).get("basic_cutoff"));
    }

    @Test
    void aCallersOwnCutoffsAreNeverPassedOn() {
        Map<String, String> rewritten = gate.rewrite(EndpointPipe.STREAM_EVENTS, RetentionTier.UNLIMITED,
                Map.of("basic_cutoff", "1970-01-01 00:00:00.000", "premium_cutoff", "1970-01-01 00:00:00.000"));
        assertEquals(BASIC_WINDOW_START, rewritten.get("basic_cutoff"));
        assertEquals(PREMIUM_WINDOW_START, rewritten.get("premium_cutoff"));
    }

    @Test
    void dateFromIsClampedToTheWidestTierTheOrganizationEverHeld() {
        Map<RetentionTier, String> clamps = new EnumMap<>(RetentionTier.class);
        clamps.put(RetentionTier.BASIC, BASIC_WINDOW_START);
        clamps.put(RetentionTier.PREMIUM, PREMIUM_WINDOW_START);
        for (EndpointPipe pipe : List.of(EndpointPipe.GET_EVENTS_PAGINATED, EndpointPipe.GET_EVENTS_STATS)) {
            for (RetentionTier widest : RetentionTier.values()) {
                String clamp = clamps.get(widest);
                String where = pipe + " for an organization ever " + widest;
                assertEquals(clamp == null ? LONG_AGO : clamp, gate.rewrite(pipe, widest, Map.of("date_from", LONG_AGO)).get("date_from"),
                        where + ", a range reaching back too far");
                assertEquals(clamp, gate.rewrite(pipe, widest, Map.of()).get("date_from"), where + ", no range");
                assertEquals(LAST_WEEK, gate.rewrite(pipe, widest, Map.of("date_from", LAST_WEEK)).get("date_from"),
                        where + ", a range inside the window");
            }
        }
    }

    @Test
    void aStreamCursorOlderThanTheWindowStartsAtItsBeginning() {
        Map<String, String> old = gate.rewrite(EndpointPipe.STREAM_EVENTS, RetentionTier.BASIC,
                Map.of("since", LONG_AGO, "since_id", "evt_z"));
        assertEquals(BASIC_WINDOW_START, old.get("since"));
        assertFalse(old.containsKey("since_id"), "every event at the clamp comes after a cursor that was older");

        Map<String, String> recent = gate.rewrite(EndpointPipe.STREAM_EVENTS, RetentionTier.BASIC,
                Map.of("since", LAST_WEEK, "since_id", "evt_z"));
        assertEquals(LAST_WEEK, recent.get("since"));
        assertEquals("evt_z", recent.get("since_id"));

        assertFalse(gate.rewrite(EndpointPipe.STREAM_EVENTS, RetentionTier.PREMIUM, Map.of()).containsKey("since"),
                "without a cursor the pipe answers the latest events, which a since would change");
        assertEquals(LONG_AGO,
                gate.rewrite(EndpointPipe.STREAM_EVENTS, RetentionTier.UNLIMITED, Map.of("since", LONG_AGO)).get("since"));
    }

    @Test
    void anOrganizationThatWasPremiumKeepsItsBasicEventsWhenTheBasicWindowIsTheLongerOne() {
        RetentionGate odd = new RetentionGate(null, null, TestConfig.emitKit(Map.of("emitkit.retention.basic", "400d",
                "emitkit.retention.premium", "200d")).retention(), day150);
        assertEquals("2025-04-27 12:00:00.000",
                odd.rewrite(EndpointPipe.GET_EVENTS_PAGINATED, RetentionTier.PREMIUM, Map.of()).get("date_from"));
    }

    /** Pipes are named by EndpointPipe only, each constant of which has a rule (the switch says so): each is a real pipe. */
    @Test
    void everyPipeTheServiceCallsIsAnEndpointOfTheProject() {
        for (EndpointPipe pipe : EndpointPipe.values()) {
            assertTrue(Files.exists(Path.of("tinybird/endpoints", pipe.fileName() + ".pipe")), pipe.fileName());
        }
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
