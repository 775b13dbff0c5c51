package com.emitkit.events.local;

import com.emitkit.events.local.chdb.ChdbConnection;
import com.emitkit.events.local.chdb.ChdbException;
import com.emitkit.events.local.datafile.Column;
import com.emitkit.events.local.datafile.Datasource;
import com.emitkit.events.local.datafile.DatafileException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Events API for one datasource: reads each row's values at the columns' JSON paths, writes the
 * rows that fit and sends the others, with the reason, to {@code <datasource>_quarantine}.
 */
final class DatasourceAppender {

    /** Below ClickHouse's max_insert_block_size, so each INSERT is written whole or not at all. */
    private static final int ROWS_PER_INSERT = 100_000;
    /**
     * Under load chDB 26.5 sometimes ran these inserts as asynchronous ones, which refuse inline data ("Processing
     * async inserts with both inlined and external data ... is not supported"): each insert says it is synchronous,
     * which is also what {@code wait=true} promises.
     */
    private static final String SYNCHRONOUS = "async_insert = 0";
    private static final Pattern JSON_PATH = Pattern.compile("^\\$(\\.[A-Za-z_][A-Za-z0-9_]*)+(\\[:])?$");
    private static final Pattern ERROR_KEY = Pattern.compile("value of key ([A-Za-z_][A-Za-z0-9_]*)");
    private static final DateTimeFormatter INSERTION_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final ChdbConnection chdb;
    private final Datasource datasource;
    private final ObjectMapper json;
    /** Writes rows as NDJSON straight into the statement's UTF-8 bytes. */
    private final ObjectWriter ndjson;
    private final List<String[]> paths;
    private final byte[] insertPrefix;
    private final String quarantinePrefix;

    DatasourceAppender(ChdbConnection chdb, Datasource datasource, ObjectMapper json) {
        this.chdb = chdb;
        this.datasource = datasource;
        this.json = json;
        this.ndjson = json.writer().withRootValueSeparator("\n");
        this.paths = datasource.columns().stream().map(c -> parsePath(datasource, c)).toList();
        this.insertPrefix = ("INSERT INTO " + ClickHouseDdl.quote(datasource.name())
                + " SETTINGS input_format_skip_unknown_fields = 0, date_time_input_format = 'best_effort',"
                + " input_format_parallel_parsing = 0, " + SYNCHRONOUS
                + " FORMAT JSONEachRow\n").getBytes(StandardCharsets.UTF_8);
        this.quarantinePrefix = "INSERT INTO " + ClickHouseDdl.quote(ClickHouseDdl.quarantineName(datasource.name()))
                + " SETTINGS " + SYNCHRONOUS + " FORMAT JSONEachRow\n";
    }

    IngestResult append(List<String> lines) {
        List<Row> rows = new ArrayList<>(lines.size());
        List<Row> rejected = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            Row row = toRow(line);
            (row.error == null ? rows : rejected).add(row);
        }
        int rejectedBeforeInsert = rejected.size();
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            insertOrSplit(rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT)), rejected);
        }
        if (!rejected.isEmpty()) {
            quarantine(rejected);
        }
        return new IngestResult(rows.size() - (rejected.size() - rejectedBeforeInsert), rejected.size());
    }

    /** A row as ClickHouse will read it, or the reason it cannot be. */
    private static final class Row {
        final String raw;
        ObjectNode values;
        String error;
        String errorColumn = "";

        Row(String raw) {
            this.raw = raw;
        }
    }

    private Row toRow(String line) {
        Row row = new Row(line);
        JsonNode root;
        try {
            root = json.readTree(line);
        } catch (JsonProcessingException e) {
            row.error = "invalid JSON: " + e.getOriginalMessage();
            return row;
        }
        if (root == null || !root.isObject()) {
            row.error = "a row must be a JSON object";
            return row;
        }
        ObjectNode values = json.createObjectNode();
        List<Column> columns = datasource.columns();
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            JsonNode value = at(root, paths.get(i));
            if (value == null || value.isNull()) {
                if (column.defaultExpression().isPresent()) {
                    continue;
                }
                if (column.nullable()) {
                    values.putNull(column.name());
                    continue;
                }
                row.error = value == null ? "missing value for column " + column.name()
                        : "null for column " + column.name() + " of type " + column.type();
                row.errorColumn = column.name();
                row.values = values;
                return row;
            }
            if (column.arrayPath() && !value.isArray()) {
                row.error = "expected an array for column " + column.name();
                row.errorColumn = column.name();
                row.values = values;
                return row;
            }
            values.set(column.name(), ClickHouseDdl.isText(column) && value.isContainerNode()
                    ? values.textNode(value.toString()) : value);
        }
        row.values = values;
        return row;
    }

    private static JsonNode at(JsonNode root, String[] path) {
        JsonNode node = root;
        for (String key : path) {
            node = node.get(key);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private void insertOrSplit(List<Row> rows, List<Row> rejected) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            chdb.query(insertStatement(rows), "TSV");
        } catch (ChdbException e) {
            if (rows.size() == 1) {
                Row row = rows.getFirst();
                row.error = e.getMessage();
                Matcher key = ERROR_KEY.matcher(e.getMessage());
                row.errorColumn = key.find() ? key.group(1) : "";
                rejected.add(row);
                return;
            }
            // An INSERT is all or nothing: halve the batch until the rows ClickHouse refuses are isolated.
            int half = rows.size() / 2;
            insertOrSplit(rows.subList(0, half), rejected);
            insertOrSplit(rows.subList(half, rows.size()), rejected);
        }
    }

    /**
     * The INSERT with its rows, written once as UTF-8: building it as a String first allocated several
     * copies of every row (the row's text, a growing builder, the whole statement, its bytes).
     */
    private byte[] insertStatement(List<Row> rows) {
        long estimate = insertPrefix.length;
        for (Row row : rows) {
            estimate += row.raw.length() + 1;
        }
        ByteArrayOutputStream sql = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, estimate));
        sql.writeBytes(insertPrefix);
        try (SequenceWriter writer = ndjson.writeValues(sql)) {
            for (Row row : rows) {
                writer.write(row.values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sql.toByteArray();
    }

    private void quarantine(List<Row> rejected) {
        String importId = UUID.randomUUID().toString();
        String now = INSERTION_DATE.format(Instant.now());
        StringBuilder sql = new StringBuilder(quarantinePrefix);
        for (Row row : rejected) {
            ObjectNode q = json.createObjectNode();
            ArrayNode errorColumn = q.putArray("c__error_column");
            if (!row.errorColumn.isEmpty()) {
                errorColumn.add(row.errorColumn);
            }
            q.putArray("c__error").add(row.error);
            q.put("c__import_id", importId);
            q.put("insertion_date", now);
            q.put("c__raw", row.raw);
            if (row.values != null) {
                row.values.properties().forEach(e -> q.put(e.getKey(), e.getValue().isTextual()
                        ? e.getValue().textValue() : e.getValue().toString()));
            }
            sql.append(q).append('\n');
        }
        chdb.query(sql.toString(), "TSV");
    }

    private static String[] parsePath(Datasource ds, Column column) {
        if (!JSON_PATH.matcher(column.jsonPath()).matches()) {
            throw new DatafileException(ds.file(), 1, "unsupported JSON path " + column.jsonPath() + " for column "
                    + column.name() + " (supported: $.a.b and $.a[:])");
        }
        String path = column.arrayPath() ? column.jsonPath().substring(0, column.jsonPath().length() - 3) : column.jsonPath();
        return path.substring(2).split("\\.");
    }
}
