package com.emitkit.events.local.datafile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code .datasource} file.
 *
 * @param settingLines the line of {@code ENGINE} and of each {@code ENGINE_*} setting, so that a definition
 *                     Tinybird would refuse can be reported where it is written
 */
public record Datasource(String name, Path file, List<Column> columns, String engine, Map<String, String> engineSettings,
                         Map<String, Integer> settingLines) {

    public Optional<String> engineSetting(String key) {
        return Optional.ofNullable(engineSettings.get(key));
    }

    /** The line a setting is written on; the file's first line when it is not written at all. */
    public int lineOf(String key) {
        return settingLines.getOrDefault(key, 1);
    }
}
