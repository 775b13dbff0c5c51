package com.emitkit.events.notify;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tenancy.Ids;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The webhooks of each site (PostgreSQL): created, changed, paused and resumed, deleted, their secret rotated,
 * their undelivered deliveries listed. A caller's {@link Scope} limits what it sees: an API key its site, the
 * admin API its organization.
 */
@ApplicationScoped
public class Webhooks {

    static final String PAUSED_MANUALLY = "manual";
    static final String PAUSED_FAILING = "failing";
    private static final int MAX_URL_LENGTH = 2048;
    private static final int MAX_FILTER_ENTRIES = 100;
    private static final int DELIVERIES_LISTED = 100;

    /** An organization, and one of its sites or (null) all of them. */
    public record Scope(String organizationId, String siteId) {
    }

    /** What a webhook is to do; on an update a null field stays as it was. */
    public record Spec(String url, List<String> channels, List<String> tags, WebhookFormat format) {
    }

    /**
     * A webhook as listed: {@code status} is {@code active} or {@code paused}; {@code pausedReason} says whether
     * a person paused it ({@code manual}) or its deliveries kept failing ({@code failing}).
     */
    @RegisterForReflection
    public record Webhook(String id, String siteId, String url, List<String> channels, List<String> tags, String format,
                          String status, String pausedReason, String pausedAt, String failingSince, String lastDeliveredAt,
                          long pendingDeliveries, long failedDeliveries, String createdAt) {
    }

    /** A webhook just created, with its secret: shown this once. */
    @RegisterForReflection
    public record IssuedWebhook(String id, String siteId, String url, List<String> channels, List<String> tags, String format,
                                String status, String secret) {
        @Override
        public String toString() {
            return "IssuedWebhook[" + id + ", " + url + "]";
        }
    }

    /** A webhook's new secret, shown this once; the old one stops signing at once. */
    @RegisterForReflection
    public record RotatedSecret(String id, String secret) {
        @Override
        public String toString() {
            return "RotatedSecret[" + id + "]";
        }
    }

    /** A delivery not (yet) delivered: {@code pending} while retried, {@code failed} once retries ran out. */
    @RegisterForReflection
    public record Delivery(String id, String eventId, String status, int attempts, String acceptedAt, String lastAttemptAt,
                           String nextAttemptAt, Integer lastStatus, String lastError) {
    }

    /**
     * An active webhook as matching needs it: channel slugs (empty: all), since a channel is one by its slug, and tags
     * of which one must be on the event.
     */
    record Target(String id, Set<String> channels, Set<String> tags) {
        /** {@code channelSlug}: the event's channel's, made once for all targets. */
        boolean matches(NotifiedEvent event, String channelSlug) {
            return (channels.isEmpty() || channels.contains(channelSlug))
                    && (tags.isEmpty() || event.tags().stream().anyMatch(tags::contains));
        }
    }

    private static final String SELECT = """
            SELECT w.id, w.site_id, w.url, w.channels, w.tags, w.format, w.paused_at, w.paused_reason, w.failing_since,
                   w.last_delivered_at, w.created_at,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending')
                       + (SELECT count(*) FROM webhook_notices n WHERE w.id = ANY (n.webhook_ids)) AS pending,
                   (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'failed') AS failed
            FROM webhooks w WHERE w.organization_id = $1 AND ($2::text IS NULL OR w.site_id = $2)""";
    /** Narrows an UPDATE or DELETE to one webhook of the scope ($1 the id, $2 the organization, $3 the site or null). */
    private static final String ONE = "id = $1 AND organization_id = $2 AND ($3::text IS NULL OR site_id = $3)";

    private final Pool pool;
    private final Cache targets;
    private final AddressGuard guard;

    @Inject
    Webhooks(Pool pool, @CacheName("webhook-targets") Cache targets, EmitKitConfig config) {
        this(pool, targets, new AddressGuard(config.webhooks().allowPrivateAddresses()));
    }

    Webhooks(Pool pool, Cache targets, AddressGuard guard) {
        this.pool = pool;
        this.targets = targets;
        this.guard = guard;
    }

    public Uni<IssuedWebhook> create(Scope scope, Spec spec) {
        if (spec.url() == null) {
            return Uni.createFrom().failure(WebhookRefusal.invalid("url", "url is required"));
        }
        List<String> channels = filter("channels", spec.channels());
        List<String> tags = filter("tags", spec.tags());
        WebhookFormat format = spec.format() == null ? WebhookFormat.STANDARD : spec.format();
        String id = Ids.next("whk");
        String secret = WebhookSignature.newSecret();
        return checkedUrl(spec.url()).flatMap(url -> pool.preparedQuery("""
                                INSERT INTO webhooks (id, organization_id, site_id, url, channels, tags, format, secret)
                                SELECT $1, s.organization_id, s.id, $4, $5, $6, $7, $8 FROM sites s
                                WHERE s.id = $3 AND s.organization_id = $2""")
                        .execute(Tuple.from(List.of(id, scope.organizationId(), scope.siteId(), url,
                                channels.toArray(String[]::new), tags.toArray(String[]::new), format.wireName(), secret))))
                .call(this::forgetTargets)
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw WebhookRefusal.invalid("siteId", "No site " + scope.siteId() + " in organization " + scope.organizationId());
                    }
                    return new IssuedWebhook(id, scope.siteId(), spec.url(), channels, tags, format.wireName(), "active", secret);
                });
    }

    public Uni<List<Webhook>> list(Scope scope) {
        return pool.preparedQuery(SELECT + " ORDER BY w.created_at, w.id")
                .execute(Tuple.of(scope.organizationId(), scope.siteId()))
                .map(rows -> {
                    List<Webhook> webhooks = new ArrayList<>();
                    rows.forEach(row -> webhooks.add(webhook(row)));
                    return webhooks;
                });
    }

    public Uni<Webhook> get(Scope scope, String id) {
        return pool.preparedQuery(SELECT + " AND w.id = $3")
                .execute(Tuple.of(scope.organizationId(), scope.siteId(), id))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw WebhookRefusal.notFound(id);
                    }
                    return webhook(rows.iterator().next());
                });
    }

    public Uni<Webhook> update(Scope scope, String id, Spec changes) {
        String[] channels = changes.channels() == null ? null : filter("channels", changes.channels()).toArray(String[]::new);
        String[] tags = changes.tags() == null ? null : filter("tags", changes.tags()).toArray(String[]::new);
        Uni<String> url = changes.url() == null ? Uni.createFrom().nullItem() : checkedUrl(changes.url());
        return url.flatMap(checked -> changed(id, pool.preparedQuery("""
                        UPDATE webhooks SET url = coalesce($4, url), channels = coalesce($5, channels), tags = coalesce($6, tags),
                            format = coalesce($7, format), updated_at = now() WHERE\s""" + ONE)
                        .execute(Tuple.from(Arrays.asList(id, scope.organizationId(), scope.siteId(), checked, channels, tags,
                                changes.format() == null ? null : changes.format().wireName())))))
                .flatMap(ignored -> get(scope, id));
    }

    public Uni<Webhook> pause(Scope scope, String id) {
        return changed(id, pool.preparedQuery("UPDATE webhooks SET paused_at = coalesce(paused_at, now()), "
                        + "paused_reason = coalesce(paused_reason, '" + PAUSED_MANUALLY + "'), updated_at = now() WHERE " + ONE)
                .execute(Tuple.of(id, scope.organizationId(), scope.siteId())))
                .flatMap(ignored -> get(scope, id));
    }

    /** Active again; its held deliveries go out, and a paused-for-failing webhook starts its count afresh. */
    public Uni<Webhook> resume(Scope scope, String id) {
        return changed(id, pool.preparedQuery("UPDATE webhooks SET paused_at = NULL, paused_reason = NULL, failing_since = NULL, "
                        + "updated_at = now() WHERE " + ONE)
                .execute(Tuple.of(id, scope.organizationId(), scope.siteId())))
                .flatMap(ignored -> get(scope, id));
    }

    /** Deletes the webhook and its undelivered deliveries. */
    public Uni<Void> delete(Scope scope, String id) {
        return changed(id, pool.preparedQuery("DELETE FROM webhooks WHERE " + ONE)
                .execute(Tuple.of(id, scope.organizationId(), scope.siteId())))
                .replaceWithVoid();
    }

    public Uni<RotatedSecret> rotateSecret(Scope scope, String id) {
        String secret = WebhookSignature.newSecret();
        return changed(id, pool.preparedQuery("UPDATE webhooks SET secret = $4, updated_at = now() WHERE " + ONE)
                .execute(Tuple.of(id, scope.organizationId(), scope.siteId(), secret)))
                .map(ignored -> new RotatedSecret(id, secret));
    }

    /**
     * The webhook's undelivered deliveries (status {@code pending} or {@code failed}, or both when null), newest first;
     * those of notices not fanned out yet included, with the id their fan-out will give them.
     */
    public Uni<List<Delivery>> deliveries(Scope scope, String id, String status) {
        return get(scope, id).flatMap(webhook -> pool.preparedQuery("""
                        SELECT id, event_id, status, attempts, accepted_at, last_attempt_at, next_attempt_at, last_status, last_error
                        FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)
                        UNION ALL
                        SELECT 'msg_' || substr(n.id, 5) || '_' || array_position(n.webhook_ids, $1), n.event_id, 'pending', 0,
                               n.accepted_at, NULL, n.accepted_at, NULL, NULL
                        FROM webhook_notices n WHERE $1 = ANY (n.webhook_ids) AND ($2::text IS NULL OR $2 = 'pending')
                        ORDER BY accepted_at DESC, id LIMIT $3""")
                .execute(Tuple.of(id, status, DELIVERIES_LISTED)))
                .map(rows -> {
                    List<Delivery> deliveries = new ArrayList<>();
                    rows.forEach(row -> deliveries.add(new Delivery(row.getString("id"), row.getString("event_id"),
                            row.getString("status"), row.getInteger("attempts"), time(row, "accepted_at"),
                            time(row, "last_attempt_at"), "pending".equals(row.getString("status")) ? time(row, "next_attempt_at") : null,
                            row.getInteger("last_status"), row.getString("last_error"))));
                    return deliveries;
                });
    }

    /**
     * The site's active webhooks, cached briefly (see {@code quarkus.cache.caffeine.webhook-targets}): a change made
     * on this replica applies at once, on the others within that bound.
     */
    Uni<List<Target>> targets(String organizationId, String siteId) {
        return targets.getAsync(organizationId + "/" + siteId, key -> pool.preparedQuery(
                        "SELECT id, channels, tags FROM webhooks WHERE organization_id = $1 AND site_id = $2 AND paused_at IS NULL")
                .execute(Tuple.of(organizationId, siteId))
                .map(rows -> {
                    List<Target> active = new ArrayList<>();
                    rows.forEach(row -> active.add(new Target(row.getString("id"),
                            Arrays.stream(row.getArrayOfStrings("channels")).map(Channels::slug).collect(Collectors.toUnmodifiableSet()),
                            Set.copyOf(Arrays.asList(row.getArrayOfStrings("tags"))))));
                    return List.copyOf(active);
                }));
    }

    Uni<Void> forgetTargets() {
        return targets.invalidateAll();
    }

    private Uni<RowSet<Row>> changed(String id, Uni<RowSet<Row>> statement) {
        return statement.call(this::forgetTargets).invoke(rows -> {
            if (rows.rowCount() == 0) {
                throw WebhookRefusal.notFound(id);
            }
        });
    }

    /** An http(s) URL whose host resolves to public addresses only (unless private ones are allowed). */
    private Uni<String> checkedUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Uni.createFrom().failure(WebhookRefusal.invalid("url", "url is not a valid URL"));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || url.length() > MAX_URL_LENGTH) {
            return Uni.createFrom().failure(WebhookRefusal.invalid("url",
                    "url must be an http or https URL with a host, at most " + MAX_URL_LENGTH + " characters"));
        }
        return Uni.createFrom().item(() -> {
                    try {
                        guard.check(uri.getHost());
                        return url;
                    } catch (UnknownHostException e) {
                        throw WebhookRefusal.invalid("url", "url's host " + uri.getHost() + " does not resolve");
                    } catch (AddressGuard.RefusedAddress e) {
                        throw WebhookRefusal.invalid("url", "url is refused: " + e.getMessage());
                    }
                })
                // Name resolution blocks: off the event loop.
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static List<String> filter(String field, List<String> values) {
        if (values == null) {
            return List.of();
        }
        if (values.size() > MAX_FILTER_ENTRIES || values.stream().anyMatch(v -> v == null || v.isBlank() || v.length() > 200)) {
            throw WebhookRefusal.invalid(field, field + " must be at most " + MAX_FILTER_ENTRIES
                    + " non-empty names of at most 200 characters");
        }
        return values.stream().distinct().toList();
    }

    private static Webhook webhook(Row row) {
        boolean paused = row.getValue("paused_at") != null;
        return new Webhook(row.getString("id"), row.getString("site_id"), row.getString("url"),
                List.of(row.getArrayOfStrings("channels")), List.of(row.getArrayOfStrings("tags")), row.getString("format"),
                paused ? "paused" : "active", row.getString("paused_reason"), time(row, "paused_at"), time(row, "failing_since"),
                time(row, "last_delivered_at"), row.getLong("pending"), row.getLong("failed"), time(row, "created_at"));
    }

    private static String time(Row row, String column) {
        OffsetDateTime time = row.getOffsetDateTime(column);
        return time == null ? null : time.toInstant().toString();
    }
}
