package com.emitkit.events.local;

import com.emitkit.events.local.datafile.Column;
import com.emitkit.events.local.datafile.Datasource;
import com.emitkit.events.local.datafile.DatafileException;

import java.util.Set;
import java.util.stream.Collectors;

/** Translates a datasource's settings into ClickHouse DDL, the way Tinybird does. */
final class ClickHouseDdl {

    private static final Set<String> ENGINES = Set.of("MergeTree", "ReplacingMergeTree", "AggregatingMergeTree",
            "SummingMergeTree", "CollapsingMergeTree", "VersionedCollapsingMergeTree");

    private ClickHouseDdl() {
    }

    /** {@code CREATE TABLE} for the datasource, without a comment. */
    static String createTable(Datasource ds) {
        if (!ENGINES.contains(ds.engine())) {
            throw new DatafileException(ds.file(), 1, "ENGINE " + ds.engine() + " is not supported by the embedded engine");
        }
        String columns = ds.columns().stream()
                .map(c -> "    " + quote(c.name()) + " " + c.type() + c.defaultExpression().map(d -> " DEFAULT " + d).orElse(""))
                .collect(Collectors.joining(",\n"));
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(quote(ds.name())).append("\n(\n")
                .append(columns).append("\n)\nENGINE = ").append(ds.engine()).append('(').append(engineArguments(ds)).append(")\n");
        ds.engineSetting("ENGINE_PARTITION_KEY").ifPresent(p -> sql.append("PARTITION BY ").append(p).append('\n'));
        sql.append("ORDER BY (").append(ds.engineSetting("ENGINE_SORTING_KEY").orElse("")).append(")\n");
        ds.engineSetting("ENGINE_PRIMARY_KEY").ifPresent(p -> sql.append("PRIMARY KEY (").append(p).append(")\n"));
        ds.engineSetting("ENGINE_TTL").ifPresent(t -> sql.append("TTL ").append(t).append('\n'));
        ds.engineSetting("ENGINE_SETTINGS").ifPresent(s -> sql.append("SETTINGS ").append(s).append('\n'));
        return sql.toString();
    }

    /** Where the Events API puts rows that do not fit: every column as text, plus what went wrong. */
    static String createQuarantineTable(Datasource ds) {
        String columns = ds.columns().stream().map(c -> "    " + quote(c.name()) + " Nullable(String)")
                .collect(Collectors.joining(",\n"));
        return "CREATE TABLE " + quote(quarantineName(ds.name())) + "\n(\n"
                + "    c__error_column Array(String),\n    c__error Array(String),\n    c__import_id Nullable(String),\n"
                + "    insertion_date DateTime('UTC'),\n    c__raw String,\n" + columns + "\n)\n"
                + "ENGINE = MergeTree\nORDER BY insertion_date\n";
    }

    static String quarantineName(String datasource) {
        return datasource + "_quarantine";
    }

    private static String engineArguments(Datasource ds) {
        return switch (ds.engine()) {
            case "ReplacingMergeTree" -> ds.engineSetting("ENGINE_VER").orElse("")
                    + ds.engineSetting("ENGINE_IS_DELETED").map(d -> ", " + d).orElse("");
            case "CollapsingMergeTree" -> ds.engineSetting("ENGINE_SIGN").orElseThrow(
                    () -> new DatafileException(ds.file(), 1, "CollapsingMergeTree needs ENGINE_SIGN"));
            case "VersionedCollapsingMergeTree" -> ds.engineSetting("ENGINE_SIGN").orElseThrow(
                    () -> new DatafileException(ds.file(), 1, "VersionedCollapsingMergeTree needs ENGINE_SIGN"))
                    + ", " + ds.engineSetting("ENGINE_VER").orElseThrow(
                    () -> new DatafileException(ds.file(), 1, "VersionedCollapsingMergeTree needs ENGINE_VER"));
            default -> "";
        };
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static boolean isText(Column column) {
        return !column.type().startsWith("Array(") && column.type().contains("String");
    }
}
