package com.emitkit.events.local;

import com.emitkit.events.local.datafile.Column;
import com.emitkit.events.local.datafile.DatafileException;
import com.emitkit.events.local.datafile.Datasource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A datasource's {@code ENGINE} clause as Tinybird's engine builder writes it: the engine's parameters, then each
 * option as {@code KEYWORD (value)} and {@code SETTINGS value} last. Its checks and messages are Tinybird's, so a
 * datafile that Tinybird would refuse, or that ClickHouse cannot parse in this form, stops start-up here too.
 */
final class TinybirdEngine {

    /** One part of the clause and the setting it was written from ({@code ENGINE} for the engine and its parameters). */
    record Clause(String sql, String setting) {
    }

    private enum Check { NONE, COLUMN, COLUMNS, SORTING_KEY, JOIN_STRICTNESS, JOIN_TYPE }

    private record Param(String name, boolean required, Check check) {
    }

    private record Option(String name, String sql, String defaultValue, boolean required, Check check) {
    }

    private record Engine(String name, List<Param> params, List<Option> options) {
    }

    private static final List<Option> MERGETREE_OPTIONS = List.of(
            new Option("partition_key", "PARTITION BY", null, false, Check.NONE),
            new Option("sorting_key", "ORDER BY", "tuple()", false, Check.NONE),
            new Option("primary_key", "PRIMARY KEY", null, false, Check.NONE),
            new Option("sampling_key", "SAMPLE BY", null, false, Check.NONE),
            new Option("ttl", "TTL", null, false, Check.NONE),
            new Option("settings", "SETTINGS", null, false, Check.NONE));
    // Engines that merge rows by key need a real sorting key.
    private static final List<Option> KEYED_OPTIONS = MERGETREE_OPTIONS.stream()
            .map(o -> o.name().equals("sorting_key") ? new Option(o.name(), o.sql(), null, true, Check.SORTING_KEY) : o)
            .toList();

    private static final List<Engine> ENGINES = List.of(
            new Engine("MergeTree", List.of(), MERGETREE_OPTIONS),
            new Engine("ReplacingMergeTree",
                    List.of(new Param("ver", false, Check.COLUMN), new Param("is_deleted", false, Check.COLUMN)), KEYED_OPTIONS),
            new Engine("SummingMergeTree", List.of(new Param("columns", false, Check.COLUMNS)), MERGETREE_OPTIONS),
            new Engine("AggregatingMergeTree", List.of(), KEYED_OPTIONS),
            new Engine("CollapsingMergeTree", List.of(new Param("sign", true, Check.COLUMN)), KEYED_OPTIONS),
            new Engine("VersionedCollapsingMergeTree",
                    List.of(new Param("sign", true, Check.COLUMN), new Param("version", true, Check.COLUMN)), MERGETREE_OPTIONS),
            new Engine("Join", List.of(new Param("join_strictness", true, Check.JOIN_STRICTNESS),
                    new Param("join_type", true, Check.JOIN_TYPE), new Param("key_columns", true, Check.COLUMNS)), List.of()),
            new Engine("Null", List.of(), List.of()));

    private TinybirdEngine() {
    }

    /** The clause after {@code ENGINE = }, in parts, each naming the setting it comes from. */
    static List<Clause> clauses(Datasource ds) {
        Engine engine = ENGINES.stream().filter(e -> e.name().equalsIgnoreCase(ds.engine())).findFirst()
                .orElseThrow(() -> fail(ds, "ENGINE", "Engine " + ds.engine() + " is not supported, supported engines include: "
                        + ENGINES.stream().map(Engine::name).collect(Collectors.joining(", "))));
        List<String> params = new ArrayList<>();
        for (Param param : engine.params()) {
            String key = key(param.name());
            String value = ds.engineSetting(key).orElse(null);
            if (value == null) {
                if (param.required()) {
                    throw fail(ds, "ENGINE", "Missing required parameter '" + param.name() + "'");
                }
                continue;
            }
            check(ds, param.check(), key, "parameter", value);
            params.add(value);
        }
        List<Clause> clauses = new ArrayList<>();
        clauses.add(new Clause(engine.name() + "(" + String.join(", ", params) + ")", "ENGINE"));
        Clause settings = null;
        for (Option option : engine.options()) {
            String key = key(option.name());
            String value = ds.engineSetting(key).orElse(null);
            if (value == null && option.required()) {
                throw fail(ds, "ENGINE", "Missing required option '" + option.name() + "'");
            }
            if (value == null || value.isEmpty()) {
                value = option.defaultValue();
            }
            check(ds, option.check(), key, "option", value);
            if (value == null || value.isEmpty()) {
                continue;
            }
            if (option.sql().equals("SETTINGS")) {
                settings = new Clause("SETTINGS " + value, key);
            } else {
                clauses.add(new Clause(option.sql() + " (" + value + ")", key));
            }
        }
        if (settings != null) {
            clauses.add(settings);
        }
        return clauses;
    }

    private static void check(Datasource ds, Check check, String key, String kind, String value) {
        String reason = switch (check) {
            case NONE -> null;
            case COLUMN -> missingColumn(ds, value);
            case COLUMNS -> Arrays.stream(value.split(",")).map(String::strip).map(c -> missingColumn(ds, c))
                    .filter(r -> r != null).findFirst().orElse(null);
            case SORTING_KEY -> value == null || value.isEmpty() ? "Sorting key can not be empty"
                    : value.equals("tuple()") ? "'tuple()' is not a valid sorting key" : null;
            case JOIN_STRICTNESS -> oneOf(value, "ANY", "ALL", "SEMI", "ANTI");
            case JOIN_TYPE -> oneOf(value, "LEFT", "INNER", "RIGHT", "FULL");
        };
        if (reason != null) {
            throw fail(ds, key, "Invalid value '" + value + "' for " + kind + " '" + key.toLowerCase(Locale.ROOT)
                    + "', reason: " + reason);
        }
    }

    private static String missingColumn(Datasource ds, String name) {
        Set<String> columns = ds.columns().stream().map(Column::name).collect(Collectors.toSet());
        return columns.contains(name) ? null : "'" + name + "' column is not present in schema";
    }

    private static String oneOf(String value, String... allowed) {
        return Arrays.asList(allowed).contains(value.toUpperCase(Locale.ROOT)) ? null
                : "valid values are " + String.join(", ", allowed);
    }

    private static String key(String option) {
        return "ENGINE_" + option.toUpperCase(Locale.ROOT);
    }

    private static DatafileException fail(Datasource ds, String setting, String reason) {
        return new DatafileException(ds.file(), ds.lineOf(setting), reason);
    }
}
