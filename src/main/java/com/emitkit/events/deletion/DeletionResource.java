package com.emitkit.events.deletion;

import com.emitkit.events.security.CallerAuthentication;
import com.emitkit.events.security.DeleteAccess;
import com.emitkit.events.security.IdentitiesWriteAccess;
import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.Deletions.Deletion;
import com.emitkit.events.tenancy.Deletions;
import com.emitkit.events.tenancy.Identities;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.RequestIds;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Deleting through the public API: erasing a user ({@code identities:write}) and deleting one event
 * ({@code delete}), each also open to the admin token with {@code ?organizationId=}. The deletion is recorded
 * first, then its first pass runs at once; the answer waits for it up to {@code emitkit.deletions.answer-within}
 * (200), else says it is under way (202) and the worker finishes it.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/v1")
public class DeletionResource {

    private static final int MAX_ID_LENGTH = 255;

    private final Identities identities;
    private final Deletions deletions;
    private final DeletionWorker worker;
    private final DeletionAudit audit;

    DeletionResource(Identities identities, Deletions deletions, DeletionWorker worker, DeletionAudit audit) {
        this.identities = identities;
        this.deletions = deletions;
        this.worker = worker;
        this.audit = audit;
    }

    @DELETE
    @Path("/identities/{userId}")
    @IdentitiesWriteAccess
    @Operation(summary = "Erase a user: the identity, its properties, its aliases and every event naming them")
    public Uni<Response> erase(@PathParam("userId") String userId, RoutingContext context) {
        requireId(userId, "userId");
        Caller caller = CallerAuthentication.caller(context);
        return identities.erase(caller.organizationId(), userId, requestedBy(caller), worker.lease()).flatMap(erasure -> {
            Deletion deletion = erasure.deletion().orElseThrow(() -> new ApiException(400,
                    "userId is an alias of another user: erase that user instead"));
            audit.recorded(deletion);
            return firstPass(deletion).map(passed -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", deletion.id());
                body.put("userId", userId);
                body.put("status", "erased");
                body.put("aliasesDeleted", erasure.aliasesDeleted());
                body.put("productEventsDetached", passed.map(Deletion::eventsDeleted).orElse(null));
                return answer(passed.isPresent(), body, context);
            });
        });
    }

    @DELETE
    @Path("/events/{id}")
    @DeleteAccess
    @Operation(summary = "Delete one event from lists, statistics and replays")
    public Uni<Response> deleteEvent(@PathParam("id") String eventId, RoutingContext context) {
        requireId(eventId, "eventId");
        Caller caller = CallerAuthentication.caller(context);
        // An API key deletes only its own site's events; the admin token any of the organization's.
        Deletions.Request request = new Deletions.Request(caller.organizationId(), Deletions.Kind.EVENT, eventId, caller.siteId(),
                null, null, requestedBy(caller));
        return deletions.record(request, worker.lease()).flatMap(recorded -> {
            Uni<Optional<Deletion>> outcome;
            if (recorded.fresh()) {
                audit.recorded(recorded.deletion());
                outcome = firstPass(recorded.deletion());
            } else {
                Deletion earlier = recorded.deletion();
                outcome = Uni.createFrom().item(earlier.status() == Deletions.Status.DONE
                        || earlier.lastError() == null && earlier.eventsDeleted() > 0 ? Optional.of(earlier) : Optional.empty());
            }
            return outcome.map(passed -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", recorded.deletion().id());
                body.put("eventId", eventId);
                body.put("status", passed.isPresent() ? "deleted" : "pending");
                body.put("eventsDeleted", passed.map(Deletion::eventsDeleted).orElse(null));
                return answer(passed.isPresent(), body, context);
            });
        });
    }

    /**
     * Runs the first pass of a deletion this request recorded, waiting for it a bounded time: the deletion after
     * it, or empty when it failed or is still running (it goes on regardless, and the worker takes over).
     */
    private Uni<Optional<Deletion>> firstPass(Deletion deletion) {
        Uni<Deletion> pass = worker.pass(deletion).memoize().indefinitely();
        pass.subscribe().with(passed -> { }, failure -> { });
        return pass.map(passed -> passed.lastError() == null ? Optional.of(passed) : Optional.<Deletion>empty())
                .ifNoItem().after(worker.answerWithin()).recoverWithItem(Optional.empty());
    }

    private static Response answer(boolean carriedOut, Map<String, Object> body, RoutingContext context) {
        return Response.status(carriedOut ? 200 : 202).entity(new Success<>(body, RequestIds.of(context))).build();
    }

    static String requestedBy(Caller caller) {
        return CallerAuthentication.ADMIN.equals(caller.credentialId()) ? CallerAuthentication.ADMIN : "key:" + caller.credentialId();
    }

    private static void requireId(String id, String name) {
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new ApiException(400, name + " must be 1 to " + MAX_ID_LENGTH + " characters");
        }
    }
}
