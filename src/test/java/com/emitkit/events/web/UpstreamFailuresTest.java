package com.emitkit.events.web;

import com.emitkit.events.tinybird.TinybirdException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamFailuresTest {

    @Test
    void passingFailuresAre503WithRetryAfterAndTheUpstreamRequestId() {
        for (int status : new int[] {429, 500, 503}) {
            ApiException e = UpstreamFailures.of(new TinybirdException(status, "tb-req-1", "busy"));
            assertEquals(503, e.status());
            assertEquals(Map.of("Retry-After", "5"), e.headers());
            assertTrue(e.getMessage().contains("upstream " + status) && e.getMessage().contains("tb-req-1"), e.getMessage());
        }
    }

    @Test
    void refusalsAre502AndAnUnreachableUpstream503() {
        ApiException refused = UpstreamFailures.of(new TinybirdException(400, null, "bad query"));
        assertEquals(502, refused.status());
        assertEquals(Map.of(), refused.headers());
        assertEquals(503, UpstreamFailures.of(new IOException("connection refused")).status());
    }
}
