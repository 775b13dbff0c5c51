package com.emitkit.events.local;

import com.emitkit.events.local.datafile.Column;
import com.emitkit.events.local.datafile.Datasource;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Translates a datasource's settings into ClickHouse DDL, the way Tinybird does. */
final class ClickHouseDdl {

    private static final Pattern ERROR_POSITION = Pattern.compile("failed at position (\\d+)");

    private ClickHouseDdl() {
    }

    /**
     * A {@code CREATE TABLE} statement and the datafile line each part of it was written from, so that an error
     * ClickHouse reports at a position of the statement can name the line of the datafile.
     */
    record TableDdl(String sql, NavigableMap<Integer, Integer> lineAt) {

        /** The datafile line behind ClickHouse's error, or the file's first line when the error names no position. */
        int lineOf(String clickHouseError) {
            Matcher position = ERROR_POSITION.matcher(clickHouseError);
            if (!position.find()) {
                return 1;
            }
            Map.Entry<Integer, Integer> part = lineAt.floorEntry(Integer.parseInt(position.group(1)) - 1);
            return part == null ? 1 : part.getValue();
        }
    }

    /** {@code CREATE TABLE} for the datasource, without a comment, with the engine clause Tinybird would write. */
    static TableDdl createTable(Datasource ds) {
        List<TinybirdEngine.Clause> engine = TinybirdEngine.clauses(ds);
        String columns = ds.columns().stream()
                .map(c -> "    " + quote(c.name()) + " " + c.type() + c.defaultExpression().map(d -> " DEFAULT " + d).orElse(""))
                .collect(Collectors.joining(",\n"));
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(quote(ds.name())).append("\n(\n")
                .append(columns).append("\n)\nENGINE = ");
        NavigableMap<Integer, Integer> lineAt = new TreeMap<>();
        lineAt.put(0, 1);
        for (TinybirdEngine.Clause clause : engine) {
            lineAt.put(sql.length(), ds.lineOf(clause.setting()));
            sql.append(clause.sql()).append('\n');
        }
        return new TableDdl(sql.toString(), lineAt);
    }

    /** Where the Events API puts rows that do not fit: every column as text, plus what went wrong. */
    static TableDdl createQuarantineTable(Datasource ds) {
        String columns = ds.columns().stream().map(c -> "    " + quote(c.name()) + " Nullable(String)")
                .collect(Collectors.joining(",\n"));
        String sql = "CREATE TABLE " + quote(quarantineName(ds.name())) + "\n(\n"
                + "    c__error_column Array(String),\n    c__error Array(String),\n    c__import_id Nullable(String),\n"
                + "    insertion_date DateTime('UTC'),\n    c__raw String,\n" + columns + "\n)\n"
                + "ENGINE = MergeTree\nORDER BY insertion_date\n";
        return new TableDdl(sql, new TreeMap<>(Map.of(0, 1)));
    }

    static String quarantineName(String datasource) {
        return datasource + "_quarantine";
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static boolean isText(Column column) {
        return !column.type().startsWith("Array(") && column.type().contains("String");
    }
}
