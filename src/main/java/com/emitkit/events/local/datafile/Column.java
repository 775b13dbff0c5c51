package com.emitkit.events.local.datafile;

import java.util.Optional;

/**
 * One column of a datasource's {@code SCHEMA}.
 *
 * @param jsonPath where the Events API reads the value; {@code $.<name>} when the file gives none
 * @param defaultExpression the ClickHouse {@code DEFAULT} expression, if any
 */
public record Column(String name, String type, String jsonPath, Optional<String> defaultExpression) {

    public boolean nullable() {
        return type.startsWith("Nullable(");
    }

    /** An array column read from a JSON array ({@code json:$.tags[:]}). */
    public boolean arrayPath() {
        return jsonPath.endsWith("[:]");
    }
}
