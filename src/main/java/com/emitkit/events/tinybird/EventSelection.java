package com.emitkit.events.tinybird;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * The events a deletion removes, as one condition on an organization's rows: one event by id, one site's
 * events, or the events naming one of the given user ids (a user and its aliases, as stored) created up to an
 * instant. Each field that is set narrows the selection further; the same selection is applied to rows in
 * Tinybird ({@link #condition()}), in the outbox and in memory ({@link #matches}). Once a deletion removed rows,
 * its selection is fired as a CDI event, so that what this replica holds in memory (the live stream's recent
 * events) forgets them too.
 */
public record EventSelection(String organizationId, String siteId, String eventId, List<String> userIds,
                             Instant createdUpTo) {

    public EventSelection {
        if (organizationId == null || siteId == null && eventId == null && (userIds == null || userIds.isEmpty())) {
            throw new IllegalArgumentException("a selection needs an organization and a site, an event or user ids");
        }
        userIds = userIds == null ? null : List.copyOf(userIds);
    }

    /** The condition for Tinybird's Delete API and for a query on {@code events}. */
    public String condition() {
        StringBuilder sql = new StringBuilder("organization_id = ").append(TinybirdClient.literal(organizationId));
        if (siteId != null) {
            sql.append(" AND site_id = ").append(TinybirdClient.literal(siteId));
        }
        if (eventId != null) {
            sql.append(" AND id = ").append(TinybirdClient.literal(eventId));
        }
        if (userIds != null) {
            sql.append(" AND user_id IN (").append(String.join(", ", userIds.stream().map(TinybirdClient::literal).toList()))
                    .append(')');
        }
        if (createdUpTo != null) {
            sql.append(" AND created_at <= toDateTime64(").append(TinybirdClient.literal(TinybirdTime.format(createdUpTo)))
                    .append(", 3, 'UTC')");
        }
        return sql.toString();
    }

    /** Whether an event row (as the Events API receives it) is selected. */
    public boolean matches(JsonObject row) {
        return matches(row.getString("organization_id"), row.getString("site_id"), row.getString("id"), row.getString("user_id"),
                row.getString("created_at"));
    }

    /** Whether an event of this organization, site, id, user and {@code created_at} (Tinybird's text) is selected. */
    public boolean matches(String organization, String site, String id, String userId, String createdAt) {
        return organizationId.equals(organization)
                && (siteId == null || siteId.equals(site))
                && (eventId == null || eventId.equals(id))
                && (userIds == null || userIds.contains(userId))
                && (createdUpTo == null || createdAt != null && !TinybirdTime.parse(createdAt).isAfter(createdUpTo));
    }
}
