package com.emitkit.events.tenancy;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Deletions of events, recorded before they are carried out: one event, one user's events (an erasure) or one
 * site's (its purge). A replica claims a due deletion for a while ({@link #claimDue}); the user ids an erasure
 * needs are personal data, kept only until it is done.
 */
@ApplicationScoped
public class Deletions {

    public enum Kind {
        EVENT, IDENTITY, SITE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        PENDING, RUNNING, DONE, FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A deletion as recorded. {@code userIds} is empty once it is done. */
    @RegisterForReflection
    public record Deletion(String id, String organizationId, Kind kind, String eventId, String siteId, List<String> userIds,
                           Instant createdUpTo, String requestedBy, Status status, int attempts, long eventsDeleted,
                           String lastError, Instant requestedAt, Instant completedAt) {
    }

    /** A deletion just recorded ({@code fresh}, claimed by the caller) or recorded before. */
    public record Recorded(Deletion deletion, boolean fresh) {
    }

    /** What to delete and who asked ({@code key:<id>}, {@code admin} or {@code schedule}). */
    public record Request(String organizationId, Kind kind, String eventId, String siteId, List<String> userIds,
                          Instant createdUpTo, String requestedBy) {
    }

    private static final String COLUMNS = """
            id, organization_id, kind, event_id, site_id, user_ids, created_up_to, requested_by, status, attempts,
            events_deleted, last_error, requested_at, completed_at""";

    private final Pool pool;

    Deletions(Pool pool) {
        this.pool = pool;
    }

    /**
     * Records a deletion, claimed by the caller for {@code claim} (it carries it out at once). A second request to
     * delete the same event or purge the same site answers the deletion already recorded, unclaimed.
     */
    public Uni<Recorded> record(Request request, Duration claim) {
        return insert(pool, request, claim).flatMap(inserted -> inserted.isPresent() ? Uni.createFrom().item(new Recorded(inserted.get(), true))
                : pool.preparedQuery("SELECT " + COLUMNS + " FROM deletions WHERE organization_id = $1 AND kind = $2"
                        + " AND event_id IS NOT DISTINCT FROM $3 AND site_id IS NOT DISTINCT FROM $4")
                .execute(Tuple.of(request.organizationId(), request.kind().wireName(), request.eventId(), request.siteId()))
                .map(rows -> new Recorded(deletion(rows.iterator().next()), false)));
    }

    /** Inserts on the given connection (a transaction of the caller's); empty when the event or site already has one. */
    Uni<Optional<Deletion>> insert(SqlClient client, Request request, Duration claim) {
        return client.preparedQuery("""
                        INSERT INTO deletions (id, organization_id, kind, event_id, site_id, user_ids, created_up_to, requested_by,
                            status, claimed_until)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                            CASE WHEN $9 > 0 THEN 'running' ELSE 'pending' END,
                            CASE WHEN $9 > 0 THEN now() + make_interval(secs => $9) END)
                        ON CONFLICT DO NOTHING
                        RETURNING""" + " " + COLUMNS)
                .execute(Tuple.from(Arrays.asList(Ids.next("del"), request.organizationId(), request.kind().wireName(),
                        request.eventId(), request.siteId(),
                        request.userIds() == null ? null : request.userIds().toArray(String[]::new),
                        request.createdUpTo() == null ? null : request.createdUpTo().atOffset(ZoneOffset.UTC),
                        request.requestedBy(), claim.toMillis() / 1000.0)))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(deletion(rows.iterator().next())));
    }

    /**
     * Claims the deletion due first that no replica holds, for {@code lease}: a replica that dies while holding
     * it lets it go when the lease runs out. Skips rows another replica is claiming at the same moment.
     */
    public Uni<Optional<Deletion>> claimDue(Duration lease) {
        return pool.preparedQuery("""
                        UPDATE deletions SET status = 'running', claimed_until = now() + make_interval(secs => $1), updated_at = now()
                        WHERE id = (SELECT id FROM deletions
                                    WHERE status IN ('pending', 'running') AND next_attempt_at <= now()
                                        AND (claimed_until IS NULL OR claimed_until < now())
                                    ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                        RETURNING""" + " " + COLUMNS)
                .execute(Tuple.of(lease.toMillis() / 1000.0))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(deletion(rows.iterator().next())));
    }

    /**
     * A pass removed {@code removed} events. With a next pass, the deletion stays running and is due again then;
     * without, it is done and forgets the user ids it held.
     */
    public Uni<Deletion> passed(String id, long removed, Optional<Instant> nextPass) {
        return pool.preparedQuery("""
                        UPDATE deletions SET events_deleted = events_deleted + $2, claimed_until = NULL, last_error = NULL,
                            updated_at = now(),
                            status = CASE WHEN $3::timestamptz IS NULL THEN 'done' ELSE 'running' END,
                            next_attempt_at = coalesce($3::timestamptz, next_attempt_at),
                            completed_at = CASE WHEN $3::timestamptz IS NULL THEN now() END,
                            user_ids = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE user_ids END
                        WHERE id = $1
                        RETURNING""" + " " + COLUMNS)
                .execute(Tuple.of(id, removed, nextPass.map(at -> at.atOffset(ZoneOffset.UTC)).orElse(null)))
                .map(rows -> deletion(rows.iterator().next()));
    }

    /** A pass failed: tried again at {@code retryAt}, or, when {@code giveUp}, failed for good (an operator looks). */
    public Uni<Deletion> failed(String id, String error, Instant retryAt, boolean giveUp) {
        return pool.preparedQuery("""
                        UPDATE deletions SET attempts = attempts + 1, last_error = $2, claimed_until = NULL, updated_at = now(),
                            next_attempt_at = $3, status = CASE WHEN $4 THEN 'failed' ELSE status END
                        WHERE id = $1
                        RETURNING""" + " " + COLUMNS)
                .execute(Tuple.of(id, error, retryAt.atOffset(ZoneOffset.UTC), giveUp))
                .map(rows -> deletion(rows.iterator().next()));
    }

    /** Sends a failed deletion round again, now. */
    public Uni<Optional<Deletion>> retry(String id) {
        return pool.preparedQuery("""
                        UPDATE deletions SET status = 'pending', next_attempt_at = now(), updated_at = now()
                        WHERE id = $1 AND status = 'failed'
                        RETURNING""" + " " + COLUMNS)
                .execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(deletion(rows.iterator().next())));
    }

    public Uni<Optional<Deletion>> get(String id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM deletions WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(deletion(rows.iterator().next())));
    }

    /** The latest deletions, newest first, of one organization and one status when given. */
    public Uni<List<Deletion>> list(Optional<String> organizationId, Optional<Status> status, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + """
                         FROM deletions WHERE ($1::text IS NULL OR organization_id = $1) AND ($2::text IS NULL OR status = $2)
                        ORDER BY requested_at DESC, id DESC LIMIT $3""")
                .execute(Tuple.of(organizationId.orElse(null), status.map(Status::wireName).orElse(null), limit))
                .map(Deletions::deletions);
    }

    /**
     * Records the purge of every site deleted longer ago than its organization's tier window (none for unlimited),
     * one replica at a time. Answers the purges recorded now.
     */
    public Uni<List<Deletion>> scheduleSitePurges(Duration basicWindow, Duration premiumWindow) {
        return pool.withTransaction(connection -> connection
                .query("SELECT pg_try_advisory_xact_lock(hashtextextended('emitkit.site-purges', 0))").execute()
                .flatMap(locked -> !locked.iterator().next().getBoolean(0) ? Uni.createFrom().item(List.<Deletion>of())
                        : connection.preparedQuery("""
                                INSERT INTO deletions (id, organization_id, kind, site_id, requested_by)
                                SELECT 'del_purge_' || s.id, s.organization_id, 'site', s.id, 'schedule'
                                FROM sites s JOIN organizations o ON o.id = s.organization_id
                                WHERE s.deleted_at IS NOT NULL AND o.retention_tier <> 'unlimited'
                                    AND s.deleted_at < now() - make_interval(secs => CASE o.retention_tier
                                        WHEN 'basic' THEN $1::double precision ELSE $2::double precision END)
                                ON CONFLICT DO NOTHING
                                RETURNING""" + " " + COLUMNS)
                        .execute(Tuple.of((double) basicWindow.toSeconds(), (double) premiumWindow.toSeconds()))
                        .map(Deletions::deletions)));
    }

    private static List<Deletion> deletions(RowSet<Row> rows) {
        List<Deletion> list = new ArrayList<>();
        rows.forEach(row -> list.add(deletion(row)));
        return list;
    }

    private static Deletion deletion(Row row) {
        String[] userIds = row.getArrayOfStrings("user_ids");
        return new Deletion(row.getString("id"), row.getString("organization_id"), Kind.valueOf(row.getString("kind").toUpperCase(Locale.ROOT)),
                row.getString("event_id"), row.getString("site_id"), userIds == null ? List.of() : List.of(userIds),
                instant(row.getOffsetDateTime("created_up_to")), row.getString("requested_by"),
                Status.valueOf(row.getString("status").toUpperCase(Locale.ROOT)), row.getInteger("attempts"),
                row.getLong("events_deleted"), row.getString("last_error"), instant(row.getOffsetDateTime("requested_at")),
                instant(row.getOffsetDateTime("completed_at")));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
