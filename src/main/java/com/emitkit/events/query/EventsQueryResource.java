package com.emitkit.events.query;

import com.emitkit.events.retention.RetentionClock;
import com.emitkit.events.retention.RetentionGate;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.ReadAccess;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Channels;
import com.emitkit.events.tinybird.EndpointPipe;
import com.emitkit.events.tinybird.TinybirdTime;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.RequestIds;
import com.emitkit.events.web.UpstreamFailures;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's reads: a page of events and statistics, for the key's organization and site,
 * optionally one channel. The organization always comes from the credential.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1")
@ReadAccess
@Produces(MediaType.APPLICATION_JSON)
public class EventsQueryResource {

    static final int MAX_LIMIT = 100;

    public record Page(List<EventRows.Event> events, boolean hasMore, String nextCursor) {
    }

    private final Channels channels;
    private final RetentionGate retention;
    /** The retention module's clock, so that a default range ends at the same "now" its windows start from. */
    private final Clock clock;

    EventsQueryResource(Channels channels, RetentionGate retention, @RetentionClock Clock clock) {
        this.channels = channels;
        this.retention = retention;
        this.clock = clock;
    }

    @GET
    @Path("/events")
    @Operation(summary = "A page of events, newest first")
    public Uni<Success<Page>> list(@QueryParam("channel") String channel, @QueryParam("limit") String limit,
                                   @Parameter(description = "The nextCursor of the previous page (v2 name of before)")
                                   @QueryParam("cursor") String cursor,
                                   @Parameter(description = "The nextCursor of the previous page (the next contract's name of cursor)")
                                   @QueryParam("before") String before,
                                   @Parameter(description = "Only events at or after this instant (ISO-8601); the next contract's name of date_from")
                                   @QueryParam("since") String since,
                                   @QueryParam("date_from") String dateFrom,
                                   @QueryParam("date_to") String dateTo, @QueryParam("tag") String tag,
                                   @QueryParam("user_id") String userId, RoutingContext context) {
        int pageSize = limit(limit);
        Map<String, String> params = new HashMap<>();
        time(since == null || since.isBlank() ? "date_from" : "since", oneOf("since", since, "date_from", dateFrom))
                .ifPresent(t -> params.put("date_from", t));
        time("date_to", dateTo).ifPresent(t -> params.put("date_to", t));
        cursor(oneOf("before", before, "cursor", cursor)).ifPresent(c -> {
            params.put("before", c.createdAt());
            params.put("before_id", c.id());
        });
        text("tag", tag).ifPresent(t -> params.put("tag_filter", t));
        text("user_id", userId).ifPresent(u -> params.put("user_id", u));
        params.put("limit", Integer.toString(pageSize + 1));
        Caller caller = CallerAuthentication.caller(context);
        return scoped(caller, channel, params).flatMap(scoped -> scoped.isEmpty()
                ? Uni.createFrom().item(new JsonArray())
                : query(EndpointPipe.GET_EVENTS_PAGINATED, caller, scoped.get()).map(r -> r.getJsonArray("data")))
                .map(rows -> {
                    List<EventRows.Event> events = new ArrayList<>();
                    for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
                        events.add(EventRows.event(rows.getJsonObject(i)));
                    }
                    boolean more = rows.size() > pageSize;
                    String next = more ? encodeCursor(events.getLast()) : null;
                    return new Success<>(new Page(events, more, next), RequestIds.of(context));
                });
    }

    /** One event, if the caller may see it and it is still within its retention: 404 {@code not_found} otherwise. */
    @GET
    @Path("/events/{id}")
    @Operation(summary = "One event by id, within retention")
    public Uni<Success<EventRows.Event>> event(@PathParam("id") String id, RoutingContext context) {
        Caller caller = CallerAuthentication.caller(context);
        ApiException notFound = new ApiException(404, "No event " + id.replaceAll("[^A-Za-z0-9_-]", "")
                + " (it may be outside its retention window)");
        if (id.isBlank() || id.length() > 255) {
            throw notFound;
        }
        Map<String, String> params = new ReadScope(caller.organizationId(), caller.siteId(), null)
                .params(Map.of("id", id, "limit", "1"));
        return query(EndpointPipe.GET_EVENTS_PAGINATED, caller, params).map(r -> {
            JsonArray rows = r.getJsonArray("data");
            if (rows.isEmpty()) {
                throw notFound;
            }
            EventRows.Event event = EventRows.event(rows.getJsonObject(0));
            // A token narrowed to channels learns nothing of others' events, not even that they exist.
            if (!caller.sees(event.channelName())) {
                throw notFound;
            }
            return new Success<>(event, RequestIds.of(context));
        });
    }

    @GET
    @Path("/stats")
    public Uni<Success<JsonObject>> stats(@QueryParam("channel") String channel, @QueryParam("date_from") String dateFrom,
                                          @QueryParam("date_to") String dateTo, RoutingContext context) {
        Instant to = instant("date_to", dateTo).orElse(clock.instant());
        Instant from = instant("date_from", dateFrom).orElse(to.minus(Duration.ofDays(30)));
        if (!from.isBefore(to)) {
            throw new ApiException(400, "date_from must be before date_to");
        }
        Map<String, String> params = new HashMap<>(Map.of("date_from", TinybirdTime.format(from), "date_to", TinybirdTime.format(to),
                // Hourly buckets up to two days, daily beyond: both read the materialized aggregates.
                "granularity", Duration.between(from, to).compareTo(Duration.ofDays(2)) <= 0 ? "hour" : "day"));
        Caller caller = CallerAuthentication.caller(context);
        return scoped(caller, channel, params).flatMap(scoped -> scoped.isEmpty()
                ? Uni.createFrom().item(new JsonObject().put("total_events", 0).put("unique_users", 0)
                        .put("timeline", new JsonArray()).put("tags", new JsonArray()))
                : query(EndpointPipe.GET_EVENTS_STATS, caller, scoped.get()).map(r -> r.getJsonArray("data").getJsonObject(0)))
                .map(row -> new Success<>(new JsonObject()
                        .put("totalEvents", Long.parseLong(String.valueOf(row.getValue("total_events"))))
                        .put("uniqueUsers", Long.parseLong(String.valueOf(row.getValue("unique_users"))))
                        .put("granularity", params.get("granularity"))
                        .put("timeline", row.getJsonArray("timeline"))
                        .put("tags", row.getJsonArray("tags")), RequestIds.of(context)));
    }

    /** A pipe call for the caller's organization; any failure of it (an error answer, a timeout) is Tinybird's. */
    private Uni<JsonObject> query(EndpointPipe pipe, Caller caller, Map<String, String> params) {
        return retention.query(pipe, caller.widestTier(), params).onFailure().transform(UpstreamFailures::of);
    }

    /**
     * The parameters narrowed to the caller's organization, its site (if its credential has one) and the
     * channel if one is named; empty when that channel does not exist.
     */
    private Uni<Optional<Map<String, String>>> scoped(Caller caller, String channel, Map<String, String> params) {
        if (channel == null || channel.isBlank()) {
            if (caller.channels() != null) {
                throw new ApiException(403, "This credential is limited to channels " + caller.channels() + ": name one");
            }
            return Uni.createFrom().item(Optional.of(new ReadScope(caller.organizationId(), caller.siteId(), null).params(params)));
        }
        return ReadScope.visibleChannel(caller, channel.strip(), channels)
                .map(found -> found.map(ref -> ReadScope.of(caller, ref).params(params)));
    }

    private record Cursor(String createdAt, String id) {
    }

    private static String encodeCursor(EventRows.Event last) {
        String raw = new JsonObject().put("t", last.createdAt()).put("i", last.id()).encode();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Cursor> cursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonObject decoded = new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            String createdAt = decoded.getString("t");
            String id = decoded.getString("i");
            if (createdAt == null || id == null || id.isEmpty() || id.length() > 255) {
                throw new IllegalArgumentException("incomplete");
            }
            // A cursor is ours, but a client can forge one: what Tinybird would refuse is refused here.
            TinybirdTime.parse(createdAt);
            return Optional.of(new Cursor(createdAt, id));
        } catch (RuntimeException e) {
            throw new ApiException(400, "Invalid parameter 'cursor': use the nextCursor of a previous page");
        }
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 50;
        }
        try {
            int value = Integer.parseInt(limit.strip());
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // Reported below.
        }
        throw new ApiException(400, "Invalid parameter 'limit': a whole number from 1 to " + MAX_LIMIT);
    }

    /** The value of a parameter that has two names, sent under either (both at once must agree). */
    private static String oneOf(String name, String value, String otherName, String otherValue) {
        if (value == null || value.isBlank()) {
            return otherValue;
        }
        if (otherValue != null && !otherValue.isBlank() && !otherValue.equals(value)) {
            throw new ApiException(400, "Invalid parameters: '" + name + "' and '" + otherName + "' are one parameter; send one");
        }
        return value;
    }

    private static Optional<String> time(String name, String value) {
        return instant(name, value).map(TinybirdTime::format);
    }

    /** An ISO-8601 instant ({@code 2026-11-01T10:00:00Z}, with offset) or a date (midnight UTC). */
    private static Optional<Instant> instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "Invalid parameter '" + name + "': an ISO-8601 date or date-time with offset,"
                    + " e.g. 2026-11-01 or 2026-11-01T10:00:00Z");
        }
    }

    private static Optional<String> text(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (value.length() > 255) {
            throw new ApiException(400, "Invalid parameter '" + name + "': at most 255 characters");
        }
        return Optional.of(value);
    }
}
