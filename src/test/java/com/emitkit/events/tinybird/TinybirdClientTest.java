package com.emitkit.events.tinybird;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinybirdClientTest {

    @Test
    void lookupsOfManyRowsAreSplitIntoQueriesWithinTinybirdsLimit() {
        List<TinybirdRow> rows = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            rows.add(new TinybirdRow("evt_" + UUID.randomUUID(), "org_" + (i % 7), "2026-11-25 10:00:0" + (i % 10) + ".000", "{}"));
        }
        List<List<TinybirdRow>> chunks = TinybirdClient.lookupChunks(rows);
        assertTrue(chunks.size() > 1);
        assertEquals(rows, chunks.stream().flatMap(List::stream).toList(), "every row, in order, once");
        for (List<TinybirdRow> chunk : chunks) {
            String sql = TinybirdClient.lookupSql("events", chunk);
            assertTrue(sql.length() <= 8192, sql.length() + " characters");
        }
    }

    @Test
    void aLookupQuotesWhatItIsGiven() {
        String sql = TinybirdClient.lookupSql("events", List.of(new TinybirdRow("a'b\\", "org", "2026-11-25 10:00:00.000", "{}")));
        assertTrue(sql.contains("id IN ('a\\'b\\\\')"), sql);
        assertTrue(sql.contains("BETWEEN toDateTime64('2026-11-25 10:00:00.000', 3, 'UTC') AND toDateTime64('2026-11-25 10:00:00.000', 3, 'UTC')"), sql);
    }
}
