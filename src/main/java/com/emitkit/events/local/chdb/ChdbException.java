package com.emitkit.events.local.chdb;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A query chDB refused or failed, with ClickHouse's error code when it gave one. */
public final class ChdbException extends RuntimeException {

    private static final Pattern CODE = Pattern.compile("^Code: (\\d+)\\. ");

    private final int code;

    public ChdbException(String message) {
        super(message);
        Matcher m = CODE.matcher(message);
        this.code = m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** ClickHouse's numeric error code, 0 when the message had none. */
    public int code() {
        return code;
    }
}
