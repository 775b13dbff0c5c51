package com.emitkit.events.local.chdb;

import java.nio.charset.StandardCharsets;

/** A successful query's output, copied out of chDB's memory, with its statistics. */
public record ChdbResult(byte[] output, double elapsedSeconds, long rowsRead, long bytesRead) {

    public String text() {
        return new String(output, StandardCharsets.UTF_8);
    }
}
