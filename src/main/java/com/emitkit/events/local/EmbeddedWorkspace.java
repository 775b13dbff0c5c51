package com.emitkit.events.local;

import com.emitkit.events.local.chdb.ChdbConnection;
import com.emitkit.events.local.chdb.ChdbResult;
import com.emitkit.events.local.datafile.Datasource;
import com.emitkit.events.local.datafile.DatafileException;
import com.emitkit.events.local.datafile.Pipe;
import com.emitkit.events.local.datafile.TinybirdProject;
import com.emitkit.events.local.template.PipeTemplate;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Tinybird workspace inside chDB: the project's datasources as tables, its materializations as
 * materialized views, its endpoint pipes ready to render. Every method blocks: call it off the event loop.
 */
public final class EmbeddedWorkspace {

    private static final Logger LOG = Logger.getLogger(EmbeddedWorkspace.class);
    private static final String FINGERPRINT_PREFIX = "emitkit:";

    private final ChdbConnection chdb;
    private final Map<String, DatasourceAppender> appenders;
    private final Map<String, CompiledPipe> endpoints;
    private final DeleteJobs deleteJobs;

    private EmbeddedWorkspace(ChdbConnection chdb, Map<String, DatasourceAppender> appenders, Map<String, CompiledPipe> endpoints) {
        this.chdb = chdb;
        this.appenders = appenders;
        this.endpoints = endpoints;
        this.deleteJobs = new DeleteJobs(chdb, appenders.keySet());
    }

    /**
     * Creates what the project describes. A datasource whose definition changed since its table was
     * created is an error, unless {@code recreateChanged} (its local data is then dropped).
     */
    public static EmbeddedWorkspace install(ChdbConnection chdb, TinybirdProject project, boolean recreateChanged,
                                            ObjectMapper json) {
        Map<String, Datasource> datasources = new LinkedHashMap<>();
        project.datasources().forEach(ds -> datasources.put(ds.name(), ds));
        List<Pipe> materializations = project.pipes().stream().filter(Pipe::materialized).toList();
        for (Pipe mv : materializations) {
            chdb.query("DROP VIEW IF EXISTS " + ClickHouseDdl.quote(mv.name()), "TSV");
        }
        Map<String, DatasourceAppender> appenders = new LinkedHashMap<>();
        for (Datasource ds : datasources.values()) {
            ensureTable(chdb, ds, ds.name(), ClickHouseDdl.createTable(ds), recreateChanged);
            ensureTable(chdb, ds, ClickHouseDdl.quarantineName(ds.name()), ClickHouseDdl.createQuarantineTable(ds), recreateChanged);
            appenders.put(ds.name(), new DatasourceAppender(chdb, ds, json));
        }
        for (Pipe mv : materializations) {
            String target = mv.targetDatasource().orElseThrow();
            if (!datasources.containsKey(target)) {
                throw new DatafileException(mv.file(), 1, "DATASOURCE " + target + " is not defined in the project");
            }
            String select = new CompiledPipe(mv).render(Map.of());
            run(chdb, mv.file(), "CREATE MATERIALIZED VIEW " + ClickHouseDdl.quote(mv.name()) + " TO "
                    + ClickHouseDdl.quote(target) + " AS\n" + select);
        }
        Map<String, CompiledPipe> endpoints = new LinkedHashMap<>();
        project.pipes().stream().filter(Pipe::endpoint).forEach(p -> endpoints.put(p.name(), new CompiledPipe(p)));
        LOG.infof("Embedded workspace: %d datasources, %d materializations, %d endpoints", datasources.size(),
                materializations.size(), endpoints.size());
        return new EmbeddedWorkspace(chdb, Map.copyOf(appenders), Map.copyOf(endpoints));
    }

    /** The Events API: one NDJSON line per row; rows that do not fit go to the quarantine datasource. */
    public IngestResult ingest(String datasource, List<String> lines) {
        DatasourceAppender appender = appenders.get(datasource);
        if (appender == null) {
            throw new UnknownResourceException("Data Source '" + datasource + "' not found");
        }
        return appender.append(lines);
    }

    /** Tinybird's Delete API and the jobs it starts. */
    public DeleteJobs deleteJobs() {
        return deleteJobs;
    }

    /** Renders an endpoint pipe with the request's parameters and runs it, or runs {@code q} over it. */
    public ChdbResult runPipe(String pipe, Map<String, String> params, Optional<String> q, String format) {
        CompiledPipe endpoint = endpoints.get(pipe);
        if (endpoint == null) {
            throw new UnknownResourceException("The pipe '" + pipe + "' does not exist or has no endpoint");
        }
        String sql = endpoint.render(params);
        if (q.isEmpty()) {
            return chdb.query(sql + "\nSETTINGS " + UserSql.READ_SETTINGS, format);
        }
        UserSql over = UserSql.parse(q.get(), UserSql.MAX_LENGTH);
        String composed = CompiledPipe.withCtes(List.of("_ AS (\n" + sql + "\n)"), over.statement());
        return chdb.query(UserSql.parse(composed, Integer.MAX_VALUE).readOnly(), format);
    }

    /**
     * The Query API: one read-only SELECT, templated when it starts with {@code %}. The format comes
     * from a trailing {@code FORMAT} clause, TabSeparated otherwise, as ClickHouse's HTTP API does.
     */
    public SqlResult querySql(String sql, Map<String, String> params) {
        String statement = sql.stripLeading();
        if (statement.startsWith("%")) {
            int newline = statement.indexOf('\n');
            statement = PipeTemplate.parse(newline < 0 ? statement.substring(1) : statement.substring(newline + 1))
                    .render(params);
        }
        UserSql query = UserSql.parse(statement, UserSql.MAX_LENGTH);
        String format = query.format().orElse("TabSeparated");
        return new SqlResult(chdb.query(query.readOnly(), format), format);
    }

    /** A Query API result and the format it is in. */
    public record SqlResult(ChdbResult result, String format) {
    }

    private static void ensureTable(ChdbConnection chdb, Datasource ds, String table, ClickHouseDdl.TableDdl ddl,
                                    boolean recreateChanged) {
        String fingerprint = FINGERPRINT_PREFIX + sha256(ddl.sql());
        String existing = chdb.query("SELECT concat('exists ', comment) FROM system.tables"
                + " WHERE database = currentDatabase() AND name = '" + table.replace("\\", "\\\\").replace("'", "\\'") + "'",
                "TSVRaw").text().strip();
        boolean exists = existing.startsWith("exists ");
        if (existing.equals("exists " + fingerprint)) {
            return;
        }
        if (exists) {
            if (!recreateChanged) {
                throw new DatafileException(ds.file(), 1, "the definition of " + table + " changed since its local table"
                        + " was created; delete the embedded engine's data folder (local data only) or set"
                        + " emitkit.local.recreate-changed-datasources=true");
            }
            LOG.warnf("Datasource %s changed: dropping and recreating its local table", table);
            chdb.query("DROP TABLE " + ClickHouseDdl.quote(table), "TSV");
        }
        try {
            chdb.query(ddl.sql() + "COMMENT '" + fingerprint + "'", "TSV");
        } catch (RuntimeException e) {
            throw new DatafileException(ds.file(), ddl.lineOf(e.getMessage()), "ClickHouse refused the definition: " + e.getMessage());
        }
    }

    private static void run(ChdbConnection chdb, java.nio.file.Path file, String ddl) {
        try {
            chdb.query(ddl, "TSV");
        } catch (RuntimeException e) {
            throw new DatafileException(file, 1, "ClickHouse refused the definition: " + e.getMessage());
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
