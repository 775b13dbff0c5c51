package com.emitkit.events.ingest;

import com.emitkit.events.config.EmitKitConfig;
import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.WriteAccess;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.Idempotency;
import com.emitkit.events.web.JsonBodies;
import com.emitkit.events.web.RequestIds;
import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The SDKs' write API for events. */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1")
@WriteAccess
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class EventsResource {

    private final JsonBodies bodies;
    private final EventIngestor ingestor;
    private final Idempotency idempotency;
    private final int maxBatchEvents;

    EventsResource(JsonBodies bodies, EventIngestor ingestor, Idempotency idempotency, EmitKitConfig config) {
        this.bodies = bodies;
        this.ingestor = ingestor;
        this.idempotency = idempotency;
        this.maxBatchEvents = config.api().maxBatchEvents();
    }

    @POST
    @Path("/events")
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                @HeaderParam("Content-Encoding") String contentEncoding,
                                @HeaderParam(Idempotency.HEADER) String idempotencyKey, RoutingContext context) {
        Caller principal = CallerAuthentication.caller(context);
        EventValidator.Result result = bodies.stream(body, contentType, contentEncoding, EventValidator::read);
        if (!result.valid()) {
            throw result.failure();
        }
        return idempotency.run(principal.organizationId(), idempotencyKey, "POST /v1/events", body,
                () -> ingestor.ingest(principal, result.event())
                        .map(created -> new Idempotency.Stored(201, new Success<>(created, RequestIds.of(context)))));
    }

    /** A batch body's events as read (null when {@code events} is absent or not an array) and how many it has. */
    private record BatchRead(List<EventValidator.Result> events, int count) {
    }

    /**
     * Reads and validates each event as the parser reaches it (no tree of the body). Past the limit events are only
     * counted (their tokens still checked), so a batch too large is refused without validating it all.
     */
    private BatchRead readBatch(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return new BatchRead(null, 0);
        }
        List<EventValidator.Result> events = null;
        int count = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            boolean isEvents = parser.currentName().equals("events");
            if (parser.nextToken() != JsonToken.START_ARRAY || !isEvents) {
                parser.skipChildren();
                continue;
            }
            events = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (++count <= maxBatchEvents) {
                    events.add(EventValidator.read(parser));
                } else {
                    parser.skipChildren();
                }
            }
        }
        return new BatchRead(events, count);
    }

    /** One result per event of a batch, in order; a refused one with its error's {@code code}. */
    @RegisterForReflection
    public record BatchItem(int index, boolean success, String id, String error, String code, List<Violation> details) {
        static BatchItem refused(int index, ApiException failure) {
            return new BatchItem(index, false, null, failure.getMessage(), failure.code().wireName(), failure.details());
        }
    }

    @RegisterForReflection
    public record BatchResult(int accepted, int rejected, List<BatchItem> results) {
    }

    /**
     * Up to {@code emitkit.api.max-batch-events} events, each validated on its own: valid events are
     * accepted even when others are not, and the answer says per event what happened.
     */
    @POST
    @Path("/events/batch")
    public Uni<Response> batch(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                               @HeaderParam("Content-Encoding") String contentEncoding,
                               @HeaderParam(Idempotency.HEADER) String idempotencyKey, RoutingContext context) {
        Caller principal = CallerAuthentication.caller(context);
        BatchRead read = bodies.stream(body, contentType, contentEncoding, this::readBatch);
        if (read.events() == null) {
            throw ApiException.validation(List.of(new Violation(List.of("events"), "Expected an array of events")));
        }
        if (read.count() == 0 || read.count() > maxBatchEvents) {
            throw ApiException.validation(List.of(new Violation(List.of("events"),
                    "Between 1 and " + maxBatchEvents + " events per batch")));
        }
        List<EventValidator.Result> events = read.events();
        List<BatchItem> items = new ArrayList<>(events.size());
        List<EventInput> valid = new ArrayList<>(events.size());
        List<Integer> validIndexes = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            EventValidator.Result result = events.get(i);
            if (result.valid()) {
                // Its item is filled in once the event was ingested.
                items.add(null);
                valid.add(result.event());
                validIndexes.add(i);
            } else {
                items.add(BatchItem.refused(i, result.failure()));
            }
        }
        return idempotency.run(principal.organizationId(), idempotencyKey, "POST /v1/events/batch", body,
                () -> ingestor.ingestAll(principal, valid).map(outcomes -> {
                    for (int i = 0; i < outcomes.size(); i++) {
                        EventIngestor.Outcome outcome = outcomes.get(i);
                        int index = validIndexes.get(i);
                        items.set(index, outcome.failure() == null
                                ? new BatchItem(index, true, outcome.created().id(), null, null, null)
                                : BatchItem.refused(index, outcome.failure()));
                    }
                    int accepted = (int) items.stream().filter(BatchItem::success).count();
                    return new Idempotency.Stored(200, new Success<>(new BatchResult(accepted, items.size() - accepted, items),
                            RequestIds.of(context)));
                }));
    }
}
