package com.emitkit.events.local;

import com.emitkit.events.local.chdb.ChdbConnection;
import com.emitkit.events.local.chdb.ChdbException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Tinybird's Delete API and its jobs. {@code POST /v0/datasources/<name>/delete} checks the request while it waits,
 * then a job deletes the matching rows while {@code GET /v0/jobs/<id>} follows it from {@code waiting} through
 * {@code working} to {@code done} or {@code error}. Like Tinybird's v0 Delete API, the job is an
 * {@code ALTER TABLE ... DELETE} mutation: done once the rows are gone, and leaving alone the datasources that
 * materialized views filled from them. Jobs run one at a time, in order, on a thread of their own so that the
 * request threads stay free, and are kept in memory for the 48 hours Tinybird keeps them.
 */
public final class DeleteJobs {

    private static final Logger LOG = Logger.getLogger(DeleteJobs.class);
    private static final String KIND = "delete_data";
    private static final String QUARANTINE = "_quarantine";
    private static final Duration KEPT = Duration.ofHours(48);
    private static final int LISTED = 100;
    /** Python's {@code str()} of a UTC datetime, which is how Tinybird prints a job's times. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);

    private final ChdbConnection chdb;
    private final Set<String> datasources;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** One thread, gone when idle: nothing has to stop it when the engine stops. */
    private final ThreadPoolExecutor runner = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("embedded-tinybird-jobs").daemon().factory());

    DeleteJobs(ChdbConnection chdb, Set<String> datasources) {
        this.chdb = chdb;
        this.datasources = Set.copyOf(datasources);
        runner.allowCoreThreadTimeOut(true);
    }

    /** A job's status, as Tinybird names it. */
    public enum Status {
        WAITING, WORKING, DONE, ERROR;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A delete job at one moment; the datasource is named as Tinybird names it in a job, by id and by name. */
    public record Job(String id, String datasourceId, String datasourceName, String deleteCondition, Status status,
                      Instant createdAt, Instant updatedAt, Optional<Instant> startedAt, Optional<String> error) {

        private Job working(Instant now) {
            return new Job(id, datasourceId, datasourceName, deleteCondition, Status.WORKING, createdAt, now,
                    Optional.of(now), error);
        }

        private Job finished(Instant now, Optional<String> failure) {
            return new Job(id, datasourceId, datasourceName, deleteCondition, failure.isEmpty() ? Status.DONE : Status.ERROR,
                    createdAt, now, startedAt, failure);
        }

        /** The job as {@code GET /v0/jobs/<id>} shows it. */
        public ObjectNode toJson(ObjectMapper json) {
            ObjectNode node = json.createObjectNode().put("kind", KIND).put("id", id).put("job_id", id)
                    .put("status", status.wire()).put("created_at", TIME.format(createdAt))
                    .put("updated_at", TIME.format(updatedAt)).put("started_at", startedAt.map(TIME::format).orElse(null))
                    .put("is_cancellable", status == Status.WAITING);
            node.putObject("datasource").put("id", datasourceId).put("name", datasourceName);
            node.put("delete_condition", deleteCondition);
            error.ifPresent(e -> node.put("error", e));
            return node;
        }

        /** The Delete API's answer: the job, its id under three names, and where to follow it. */
        public ObjectNode acceptedJson(ObjectMapper json, String jobUrl) {
            ObjectNode node = json.createObjectNode().put("id", id).put("job_id", id).put("job_url", jobUrl);
            node.set("job", toJson(json));
            return node.put("status", status.wire()).put("delete_id", id);
        }

        /** The job as {@code GET /v0/jobs} lists it. */
        public ObjectNode summaryJson(ObjectMapper json, String jobUrl) {
            ObjectNode node = json.createObjectNode().put("id", id).put("kind", KIND).put("status", status.wire())
                    .put("created_at", TIME.format(createdAt)).put("updated_at", TIME.format(updatedAt))
                    .put("is_cancellable", status == Status.WAITING).put("job_url", jobUrl);
            node.putObject("datasource").put("id", datasourceId).put("name", datasourceName);
            return node;
        }
    }

    /** {@code dry_run=true} found the request right but could not count its rows (Tinybird's HTTP 500). */
    public static final class CountFailedException extends RuntimeException {

        CountFailedException(ChdbException cause) {
            super("Failed to delete with condition: \"" + cause.getMessage() + "\"", cause);
        }
    }

    /**
     * Checks a request and queues its job, which starts {@code waiting}. The checks are Tinybird's, in its order, each
     * an {@link IllegalArgumentException} (HTTP 400): the datasource exists, the condition is given, and ClickHouse can
     * parse it. A condition that parses but cannot run (an unknown column, say) fails the job instead.
     */
    public Job submit(String datasource, String condition) {
        Job job = newJob(datasource, condition);
        jobs.put(job.id(), job);
        prune();
        runner.execute(() -> run(job.id()));
        return job;
    }

    /** {@code dry_run=true}: the same checks, then the number of rows the condition matches; nothing is deleted. */
    public long countMatching(String datasource, String condition) {
        Job job = newJob(datasource, condition);
        try {
            return count(job.datasourceName(), job.deleteCondition());
        } catch (ChdbException e) {
            throw new CountFailedException(e);
        }
    }

    /** {@code GET /v0/jobs/<id>}: the job, while it is kept. */
    public Optional<Job> job(String id) {
        prune();
        return Optional.ofNullable(jobs.get(id));
    }

    /** {@code GET /v0/jobs}: of the latest 100 jobs, newest first, those of the kind and status asked for. */
    public List<Job> recent(Optional<String> kind, Optional<String> status) {
        prune();
        return jobs.values().stream().sorted(Comparator.comparing(Job::createdAt).reversed()).limit(LISTED)
                .filter(j -> kind.map(KIND::equals).orElse(true))
                .filter(j -> status.map(j.status().wire()::equals).orElse(true))
                .toList();
    }

    private Job newJob(String datasource, String condition) {
        // A quarantine datasource goes by the id of the datasource it belongs to, with the same suffix as its name.
        boolean quarantine = datasource.endsWith(QUARANTINE);
        String owner = quarantine ? datasource.substring(0, datasource.length() - QUARANTINE.length()) : datasource;
        if (!datasources.contains(owner)) {
            throw new IllegalArgumentException("Data Source \"" + datasource
                    + "\" does not exist, can not delete a non existing Data Source");
        }
        if (condition.isBlank()) {
            throw new IllegalArgumentException("The delete_condition='delete_statement' is mandatory");
        }
        String id = "t_" + UUID.nameUUIDFromBytes(owner.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "")
                + (quarantine ? QUARANTINE : "");
        Instant now = Instant.now();
        return new Job(UUID.randomUUID().toString(), id, datasource, checked(datasource, condition), Status.WAITING,
                now, now, Optional.empty(), Optional.empty());
    }

    /**
     * The condition as Tinybird keeps it: parsed by ClickHouse as the WHERE of a SELECT on the table, and what follows
     * WHERE in the query printed back. A condition that does not pair its parentheses could close the ones it is put
     * in and add clauses of its own, so it is refused too.
     */
    private String checked(String table, String condition) {
        String select = "SELECT * FROM " + ClickHouseDdl.quote(table) + " WHERE (" + condition + ")";
        try {
            UserSql.requireBalancedParentheses(condition);
            String formatted = chdb.query("SELECT formatQuerySingleLine(" + literal(select) + ")", "TSVRaw").text().strip();
            return formatted.substring(formatted.indexOf(" WHERE ") + " WHERE".length());
        } catch (IllegalArgumentException | ChdbException e) {
            throw new IllegalArgumentException("Failed to apply delete_condition='" + condition + "': " + withoutScope(e.getMessage()));
        }
    }

    private void run(String id) {
        Job job = jobs.computeIfPresent(id, (key, waiting) -> waiting.working(Instant.now()));
        if (job != null) {
            Optional<String> failure = failureOf(job);
            jobs.computeIfPresent(id, (key, working) -> working.finished(Instant.now(), failure));
        }
    }

    /** Runs the job's delete; what went wrong, if anything, as the job will show it. */
    private Optional<String> failureOf(Job job) {
        try {
            delete(job.datasourceName(), job.deleteCondition());
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.warnf("Delete job %s on %s failed: %s", job.id(), job.datasourceName(), e.getMessage());
            return Optional.of(withoutStackTrace(e.getMessage()));
        }
    }

    /**
     * Leaves the table alone when no row matches, as Tinybird does; when counting fails, the mutation reports why. A
     * failed mutation is killed: ClickHouse would retry it forever and hold back every later mutation of the table.
     */
    private void delete(String table, String condition) {
        if (matchesNothing(table, condition)) {
            return;
        }
        try {
            chdb.query("ALTER TABLE " + ClickHouseDdl.quote(table) + " DELETE WHERE" + condition
                    + " SETTINGS mutations_sync = 1", "TSV");
        } catch (ChdbException e) {
            try {
                chdb.query("KILL MUTATION WHERE database = currentDatabase() AND table = " + literal(table)
                        + " AND NOT is_done SYNC", "TSV");
            } catch (ChdbException killFailed) {
                e.addSuppressed(killFailed);
            }
            throw e;
        }
    }

    private boolean matchesNothing(String table, String condition) {
        try {
            return count(table, condition) == 0;
        } catch (ChdbException e) {
            return false;
        }
    }

    private long count(String table, String condition) {
        return Long.parseLong(chdb.query("SELECT count() FROM " + ClickHouseDdl.quote(table) + " WHERE" + condition,
                "TSVRaw").text().strip());
    }

    private void prune() {
        Instant oldest = Instant.now().minus(KEPT);
        jobs.values().removeIf(j -> j.createdAt().isBefore(oldest));
    }

    private static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** ClickHouse's message about the parse, without the query that only wrapped the condition for it. */
    private static String withoutScope(String message) {
        int scope = message.indexOf(": In scope SELECT formatQuerySingleLine(");
        int code = message.lastIndexOf(". (");
        return scope < 0 || code < scope ? message : message.substring(0, scope) + message.substring(code);
    }

    /** chDB appends the native stack trace to a failed mutation's message; Tinybird's errors carry none. */
    private static String withoutStackTrace(String message) {
        int frames = message.indexOf("\n\n0. ");
        return frames < 0 ? message : message.substring(0, frames);
    }
}
