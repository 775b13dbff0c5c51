package com.emitkit.events.local.datafile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed {@code .datasource} file. */
public record Datasource(String name, Path file, List<Column> columns, String engine, Map<String, String> engineSettings) {

    public Optional<String> engineSetting(String key) {
        return Optional.ofNullable(engineSettings.get(key));
    }
}
