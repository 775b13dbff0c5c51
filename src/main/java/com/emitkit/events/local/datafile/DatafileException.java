package com.emitkit.events.local.datafile;

import java.nio.file.Path;

/** A datafile the embedded engine cannot understand: names the file, the line and the reason. */
public final class DatafileException extends RuntimeException {

    public DatafileException(Path file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
    }
}
