package com.emitkit.events.local.datafile;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A parsed {@code .pipe} file.
 *
 * @param type {@code ENDPOINT}, {@code MATERIALIZED} or {@code COPY}; empty for a pipe of helper nodes
 * @param targetDatasource the {@code DATASOURCE} a materialized pipe writes to
 */
public record Pipe(String name, Path file, List<Node> nodes, Optional<String> type, Optional<String> targetDatasource) {

    /** One {@code NODE}: its SQL, templated when its first line is {@code %}; {@code line} is that of {@code SQL >}. */
    public record Node(String name, String sql, int line) {

        public boolean templated() {
            return sql.stripLeading().startsWith("%");
        }

        /** The SQL after the {@code %} marker line. */
        public String templateBody() {
            String stripped = sql.stripLeading();
            int newline = stripped.indexOf('\n');
            return newline < 0 ? "" : stripped.substring(newline + 1);
        }
    }

    public boolean endpoint() {
        return type.filter("ENDPOINT"::equals).isPresent();
    }

    public boolean materialized() {
        return type.filter("MATERIALIZED"::equals).isPresent();
    }
}
