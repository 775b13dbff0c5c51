package com.emitkit.events.deletion;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.notify.Notifications;
import com.emitkit.events.outbox.Outbox;
import com.emitkit.events.tenancy.Deletions;
import com.emitkit.events.tenancy.Deletions.Deletion;
import com.emitkit.events.tenancy.Organizations;
import com.emitkit.events.tinybird.EventSelection;
import com.emitkit.events.tinybird.EventsApiWriter;
import com.emitkit.events.tinybird.TinybirdClient;
import com.emitkit.events.tinybird.TinybirdFailure;
import com.emitkit.events.tinybird.TinybirdRow;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries out recorded deletions in Tinybird, in passes. A pass deletes the selected rows still in the outbox and
 * the selected events' webhook notices and deliveries (waiting or failed), looks up which hourly buckets the
 * selected events fall in, appends those to {@code events_corrected_buckets} (from then on the stats pipe reads
 * them from raw rows: a delete does not reach the materialized aggregates),
 * then deletes the events with Tinybird's Delete API and polls the job until it is done. A deletion makes passes
 * until one finds nothing left after {@code emitkit.deletions.settle}: a row that was in a sender's memory or in a
 * relay's send when the deletion was asked, and landed after a pass, is deleted by the next one. A site's purge
 * then removes its PostgreSQL rows. A failed pass is retried with backoff; every pass is idempotent.
 * <p>
 * Every replica polls for due deletions; each is claimed by one replica at a time ({@link Deletions#claimDue}).
 * The same replicas record the purges of sites whose window has passed ({@link Deletions#scheduleSitePurges}).
 */
@ApplicationScoped
public class DeletionWorker {

    private static final Logger LOG = Logger.getLogger(DeletionWorker.class);
    static final String CORRECTED_BUCKETS = "events_corrected_buckets";
    private static final String EVENTS = "events";

    private final Vertx vertx;
    private final Deletions deletions;
    private final Organizations organizations;
    private final Outbox outbox;
    private final Notifications notifications;
    private final TinybirdClient client;
    private final EventsApiWriter writer;
    private final Event<EventSelection> deleted;
    private final DeletionAudit audit;
    private final EmitKitConfig.Deletions config;
    private final EmitKitConfig.Retention windows;
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile boolean stopped;
    private long pollTimer = -1;
    private long purgeTimer = -1;

    DeletionWorker(Vertx vertx, Deletions deletions, Organizations organizations, Outbox outbox, Notifications notifications,
                   TinybirdClient client, EventsApiWriter writer, Event<EventSelection> deleted, DeletionAudit audit,
                   EmitKitConfig config) {
        this.vertx = vertx;
        this.deletions = deletions;
        this.organizations = organizations;
        this.outbox = outbox;
        this.notifications = notifications;
        this.client = client;
        this.writer = writer;
        this.deleted = deleted;
        this.audit = audit;
        this.config = config.deletions();
        this.windows = config.retention();
    }

    void start(@Observes StartupEvent event) {
        pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> pollInBackground());
        purgeTimer = vertx.setPeriodic(config.purgeInterval().toMillis(), id -> schedulePurges().subscribe().with(
                recorded -> { }, failure -> LOG.warnf("Recording due site purges failed: %s", failure.getMessage())));
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(purgeTimer);
    }

    /** Records the purge of every site deleted longer ago than its organization's window; answers them. */
    public Uni<List<Deletion>> schedulePurges() {
        return deletions.scheduleSitePurges(windows.basic(), windows.premium())
                .invoke(recorded -> recorded.forEach(audit::recorded));
    }

    /** Carries out the deletions due, one after the other, until none is left. */
    public Uni<Void> runDue() {
        return deletions.claimDue(config.lease()).flatMap(claimed -> claimed.isEmpty() || stopped ? Uni.createFrom().voidItem()
                : pass(claimed.get()).flatMap(ignored -> runDue()));
    }

    private void pollInBackground() {
        if (stopped || !polling.compareAndSet(false, true)) {
            return;
        }
        runDue().subscribe().with(done -> polling.set(false), failure -> {
            polling.set(false);
            LOG.debugf("Looking for due deletions failed: %s", failure.getMessage());
        });
    }

    /**
     * One pass over a deletion this replica has claimed; answers the deletion as recorded afterwards. A failure
     * is recorded (and retried later), not passed on.
     */
    public Uni<Deletion> pass(Deletion deletion) {
        EventSelection selection = selection(deletion);
        return outbox.discard(selection)
                .flatMap(discarded -> notifications.withdraw(selection.organizationId(), selection.siteId(), selection.eventId(),
                        selection.userIds(), selection.createdUpTo()))
                .invoke(withdrawn -> {
                    if (withdrawn > 0) {
                        LOG.infof("Deletion %s withdrew %d webhook notices and deliveries", deletion.id(), withdrawn);
                    }
                })
                .flatMap(withdrawn -> client.sql(bucketsSql(selection)))
                .flatMap(found -> {
                    JsonArray buckets = found.getJsonArray("data", new JsonArray());
                    long rows = 0;
                    for (int i = 0; i < buckets.size(); i++) {
                        rows += Long.parseLong(String.valueOf(buckets.getJsonObject(i).getValue("events")));
                    }
                    long removed = rows;
                    return rows == 0 ? Uni.createFrom().item(0L)
                            : writer.append(CORRECTED_BUCKETS, corrections(deletion, buckets), false)
                            .flatMap(appended -> client.deleteRows(EVENTS, selection.condition()))
                            .flatMap(this::awaitJob)
                            .invoke(() -> deleted.fire(selection))
                            .replaceWith(removed);
                })
                .flatMap(removed -> finish(deletion, removed))
                .onFailure().recoverWithUni(failure -> failed(deletion, failure));
    }

    private Uni<Deletion> finish(Deletion deletion, long removed) {
        Instant settled = deletion.requestedAt().plus(config.settle());
        Instant now = Instant.now();
        if (removed > 0 || now.isBefore(settled)) {
            return deletions.passed(deletion.id(), removed, Optional.of(now.isBefore(settled) ? settled : now));
        }
        Uni<Void> rowsInPostgres = deletion.kind() == Deletions.Kind.SITE
                ? organizations.purgeSite(deletion.organizationId(), deletion.siteId()) : Uni.createFrom().voidItem();
        return rowsInPostgres.flatMap(purged -> deletions.passed(deletion.id(), 0, Optional.empty())).invoke(audit::done);
    }

    private Uni<Deletion> failed(Deletion deletion, Throwable failure) {
        int attempts = deletion.attempts() + 1;
        boolean giveUp = attempts >= config.maxAttempts() || TinybirdFailure.of(failure) == TinybirdFailure.REFUSED;
        long backoff = Math.min(config.maxBackoff().toMillis(), config.initialBackoff().toMillis() << Math.min(attempts - 1, 20));
        String error = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        LOG.warnf("Deletion %s: pass %d failed (%s)%s", deletion.id(), attempts, error, giveUp ? "; marked failed" : "");
        return deletions.failed(deletion.id(), error, Instant.now().plusMillis(backoff), giveUp)
                .invoke(recorded -> {
                    if (giveUp) {
                        audit.failed(recorded);
                    }
                });
    }

    /** Polls a delete job until it is done; its error fails the pass. */
    private Uni<Void> awaitJob(String jobId) {
        return client.job(jobId).flatMap(job -> switch (job.getString("status", "")) {
            case "done" -> Uni.createFrom().voidItem();
            case "error" -> Uni.createFrom().failure(new IllegalStateException("Tinybird delete job " + jobId + " failed: "
                    + job.getString("error", "no error given")));
            default -> Uni.createFrom().voidItem().onItem().delayIt().by(config.jobPollInterval())
                    .flatMap(waited -> awaitJob(jobId));
        });
    }

    static EventSelection selection(Deletion deletion) {
        return switch (deletion.kind()) {
            case EVENT -> new EventSelection(deletion.organizationId(), deletion.siteId(), deletion.eventId(), null, null);
            case SITE -> new EventSelection(deletion.organizationId(), deletion.siteId(), null, null, null);
            case IDENTITY -> new EventSelection(deletion.organizationId(), null, null, deletion.userIds(), deletion.createdUpTo());
        };
    }

    /** The selected events per hourly bucket of the aggregates (which are keyed by tier, site and channel too). */
    static String bucketsSql(EventSelection selection) {
        return "SELECT retention_tier, site_id, channel_id, toDateTime(toStartOfHour(created_at), 'UTC') AS bucket, count() AS events FROM "
                + EVENTS + " WHERE " + selection.condition()
                + " GROUP BY retention_tier, site_id, channel_id, bucket FORMAT JSON";
    }

    private static List<TinybirdRow> corrections(Deletion deletion, JsonArray buckets) {
        List<TinybirdRow> rows = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            JsonObject bucket = buckets.getJsonObject(i);
            JsonObject row = new JsonObject().put("organization_id", deletion.organizationId())
                    .put("retention_tier", bucket.getString("retention_tier")).put("site_id", bucket.getString("site_id"))
                    .put("channel_id", bucket.getString("channel_id")).put("bucket", bucket.getString("bucket"))
                    .put("deletion_id", deletion.id());
            rows.add(new TinybirdRow(deletion.id() + "/" + i, deletion.organizationId(), bucket.getString("bucket"),
                    row.encode()));
        }
        return rows;
    }

    /** How long a request waits for a deletion's first pass before answering without it. */
    Duration answerWithin() {
        return config.answerWithin();
    }

    Duration lease() {
        return config.lease();
    }
}
