package com.emitkit.events.tinybird;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/** The one timestamp format this service writes to Tinybird and passes to pipes: UTC, milliseconds. */
public final class TinybirdTime {

    public static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private TinybirdTime() {
    }

    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }

    public static Instant parse(String text) {
        TemporalAccessor parsed = FORMAT.parse(text);
        return Instant.from(parsed);
    }
}
