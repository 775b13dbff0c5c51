package com.emitkit.events.local.datafile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Tinybird datafiles (Forward syntax): {@code KEY value} settings and {@code KEY >} blocks of
 * indented lines. Whatever it does not know is an error naming the file and line, never skipped.
 */
public final class DatafileParser {

    // The engine options and parameters Tinybird's engine builder knows (ENGINE_<name> for each).
    private static final Set<String> DATASOURCE_ENGINE_KEYS = Set.of("ENGINE_SORTING_KEY", "ENGINE_PARTITION_KEY",
            "ENGINE_PRIMARY_KEY", "ENGINE_SAMPLING_KEY", "ENGINE_TTL", "ENGINE_SETTINGS", "ENGINE_VER",
            "ENGINE_IS_DELETED", "ENGINE_SIGN", "ENGINE_VERSION", "ENGINE_COLUMNS", "ENGINE_JOIN_STRICTNESS",
            "ENGINE_JOIN_TYPE", "ENGINE_KEY_COLUMNS");
    private static final Set<String> PIPE_TYPES = Set.of("ENDPOINT", "MATERIALIZED");
    private static final Pattern COLUMN_NAME = Pattern.compile("^(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))\\s+");
    private static final Pattern JSON_PATH = Pattern.compile("^`json:(\\$[^`]*)`\\s*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private DatafileParser() {
    }

    public static Datasource parseDatasource(Path file) {
        String name = baseName(file, ".datasource");
        List<Column> columns = new ArrayList<>();
        String engine = null;
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (Entry entry : entries(file)) {
            switch (entry.key) {
                case "DESCRIPTION", "TOKEN", "TAGS" -> { }
                case "SCHEMA" -> {
                    requireBlock(file, entry);
                    for (int i = 0; i < entry.lines.size(); i++) {
                        String line = entry.lines.get(i).strip();
                        if (!line.isEmpty()) {
                            columns.add(parseColumn(file, entry.line + 1 + i, line));
                        }
                    }
                }
                case "ENGINE" -> {
                    engine = requireValue(file, entry);
                    lines.put(entry.key, entry.line);
                }
                default -> {
                    if (!DATASOURCE_ENGINE_KEYS.contains(entry.key)) {
                        throw new DatafileException(file, entry.line, "unsupported datasource setting " + entry.key);
                    }
                    settings.put(entry.key, requireValue(file, entry));
                    lines.put(entry.key, entry.line);
                }
            }
        }
        if (columns.isEmpty()) {
            throw new DatafileException(file, 1, "a datasource needs a SCHEMA with at least one column");
        }
        return new Datasource(name, file, List.copyOf(columns), engine == null ? "MergeTree" : engine, settings, lines);
    }

    public static Pipe parsePipe(Path file) {
        String name = baseName(file, ".pipe");
        List<Pipe.Node> nodes = new ArrayList<>();
        String nodeName = null;
        String type = null;
        String target = null;
        for (Entry entry : entries(file)) {
            switch (entry.key) {
                case "DESCRIPTION", "TOKEN", "TAGS" -> { }
                case "NODE" -> {
                    nodeName = requireValue(file, entry);
                    if (!IDENTIFIER.matcher(nodeName).matches() || nodeName.equals(name)) {
                        throw new DatafileException(file, entry.line,
                                "node name must be an identifier different from the pipe's name: " + nodeName);
                    }
                }
                case "SQL" -> {
                    requireBlock(file, entry);
                    if (nodeName == null) {
                        throw new DatafileException(file, entry.line, "SQL outside of a NODE");
                    }
                    nodes.add(new Pipe.Node(nodeName, String.join("\n", entry.lines).strip(), entry.line));
                    nodeName = null;
                }
                case "TYPE" -> {
                    type = requireValue(file, entry).toUpperCase(Locale.ROOT);
                    if (!PIPE_TYPES.contains(type)) {
                        throw new DatafileException(file, entry.line,
                                "pipe TYPE " + type + " is not supported by the embedded engine (ENDPOINT, MATERIALIZED)");
                    }
                }
                case "DATASOURCE" -> target = requireValue(file, entry);
                default -> throw new DatafileException(file, entry.line, "unsupported pipe setting " + entry.key);
            }
        }
        if (nodes.isEmpty()) {
            throw new DatafileException(file, 1, "a pipe needs at least one NODE with SQL");
        }
        if ("MATERIALIZED".equals(type) && target == null) {
            throw new DatafileException(file, 1, "a materialized pipe needs DATASOURCE <target>");
        }
        return new Pipe(name, file, List.copyOf(nodes), Optional.ofNullable(type), Optional.ofNullable(target));
    }

    private static Column parseColumn(Path file, int line, String text) {
        String rest = text.endsWith(",") ? text.substring(0, text.length() - 1).strip() : text;
        Matcher nameMatch = COLUMN_NAME.matcher(rest);
        if (!nameMatch.find()) {
            throw new DatafileException(file, line, "expected `column` Type, got: " + text);
        }
        String name = nameMatch.group(1) != null ? nameMatch.group(1) : nameMatch.group(2);
        rest = rest.substring(nameMatch.end());
        int typeEnd = endOfType(rest);
        String type = rest.substring(0, typeEnd).strip();
        if (type.isEmpty()) {
            throw new DatafileException(file, line, "column " + name + " has no type");
        }
        rest = rest.substring(typeEnd);
        String jsonPath = "$." + name;
        Matcher pathMatch = JSON_PATH.matcher(rest);
        if (pathMatch.find()) {
            jsonPath = pathMatch.group(1);
            rest = rest.substring(pathMatch.end());
        }
        Optional<String> defaultExpression = Optional.empty();
        if (rest.regionMatches(true, 0, "DEFAULT ", 0, 8)) {
            defaultExpression = Optional.of(rest.substring(8).strip());
            rest = "";
        }
        if (!rest.isBlank()) {
            throw new DatafileException(file, line, "unsupported column clause: " + rest.strip());
        }
        if (type.startsWith("DateTime64") && !type.startsWith("DateTime64(")) {
            throw new DatafileException(file, line, "DateTime64 needs a precision, e.g. DateTime64(3)");
        }
        return new Column(name, type, jsonPath, defaultExpression);
    }

    /** Where the type ends: the first top-level backtick or DEFAULT/CODEC keyword. */
    private static int endOfType(String text) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '\'') {
                    quoted = false;
                }
            } else if (c == '\'') {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && (c == '`' || startsWithWord(text, i, "DEFAULT") || startsWithWord(text, i, "CODEC"))) {
                return i;
            }
        }
        return text.length();
    }

    private static boolean startsWithWord(String text, int at, String word) {
        return (at == 0 || Character.isWhitespace(text.charAt(at - 1)))
                && text.regionMatches(true, at, word, 0, word.length())
                && (at + word.length() == text.length() || Character.isWhitespace(text.charAt(at + word.length()))
                || text.charAt(at + word.length()) == '(');
    }

    private static String requireValue(Path file, Entry entry) {
        if (entry.value == null || entry.value.isEmpty()) {
            throw new DatafileException(file, entry.line, entry.key + " needs a value");
        }
        return entry.value;
    }

    private static void requireBlock(Path file, Entry entry) {
        if (entry.lines == null) {
            throw new DatafileException(file, entry.line, entry.key + " must be followed by '>' and an indented block");
        }
    }

    private static String baseName(Path file, String suffix) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - suffix.length());
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new DatafileException(file, 1, "the file name must be an identifier: " + name);
        }
        return name;
    }

    /** A {@code KEY value} line, or a {@code KEY >} line with its indented block. */
    private record Entry(String key, String value, List<String> lines, int line) {
    }

    private static List<Entry> entries(Path file) {
        List<String> text;
        try {
            text = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<Entry> entries = new ArrayList<>();
        int i = 0;
        while (i < text.size()) {
            String line = text.get(i);
            if (line.isBlank() || line.strip().startsWith("#")) {
                i++;
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                throw new DatafileException(file, i + 1, "indented line outside of a block");
            }
            String stripped = line.strip();
            int space = stripped.indexOf(' ');
            String key = space < 0 ? stripped : stripped.substring(0, space);
            String value = space < 0 ? "" : stripped.substring(space + 1).strip();
            if (!key.equals(key.toUpperCase(Locale.ROOT)) || !IDENTIFIER.matcher(key).matches()) {
                throw new DatafileException(file, i + 1, "expected a datafile keyword, got: " + stripped);
            }
            if (value.equals(">")) {
                int start = i + 1;
                int end = start;
                while (end < text.size() && (text.get(end).isBlank() || Character.isWhitespace(text.get(end).charAt(0)))) {
                    end++;
                }
                entries.add(new Entry(key, null, dedent(text.subList(start, end)), i + 1));
                i = end;
            } else {
                entries.add(new Entry(key, unquote(value), null, i + 1));
                i++;
            }
        }
        return entries;
    }

    private static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
