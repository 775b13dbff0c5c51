package com.emitkit.events.local;

/** What the Events API answers: rows written and rows sent to the quarantine datasource. */
public record IngestResult(long successfulRows, long quarantinedRows) {
}
