package com.emitkit.events.deletion;

import com.emitkit.events.security.AdminAccess;
import com.emitkit.events.tenancy.Deletions.Deletion;
import com.emitkit.events.tenancy.Deletions;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.ApiResponses.Success;
import com.emitkit.events.web.ApiResponses;
import com.emitkit.events.web.RequestIds;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Following deletions (pending, running, done, failed) and sending a failed one round again. Behind
 * {@code emitkit.api.admin-token} like the rest of the admin API.
 */
@SecurityRequirement(name = ApiResponses.OPENAPI_SECURITY_SCHEME)
@APIResponse(responseCode = "default", description = ApiResponses.OPENAPI_ERRORS,
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiResponses.Failure.class)))
@Path("/admin/deletions")
@AdminAccess
public class DeletionsAdminResource {

    private static final int MAX_LISTED = 500;

    /** A deletion as the admin API shows it: never the user ids it holds until done. */
    @RegisterForReflection
    public record DeletionView(String id, String organizationId, String kind, String eventId, String siteId, String status,
                               int attempts, long eventsDeleted, String lastError, String requestedBy, Instant requestedAt,
                               Instant completedAt) {
        static DeletionView of(Deletion d) {
            return new DeletionView(d.id(), d.organizationId(), d.kind().wireName(), d.eventId(), d.siteId(), d.status().wireName(),
                    d.attempts(), d.eventsDeleted(), d.lastError(), d.requestedBy(), d.requestedAt(), d.completedAt());
        }
    }

    private final Deletions deletions;

    DeletionsAdminResource(Deletions deletions) {
        this.deletions = deletions;
    }

    @GET
    public Uni<Success<List<DeletionView>>> list(@QueryParam("organizationId") String organizationId,
                                                 @QueryParam("status") String status, @QueryParam("limit") Integer limit,
                                                 RoutingContext context) {
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LISTED) {
            throw new ApiException(400, "limit must be between 1 and " + MAX_LISTED);
        }
        return deletions.list(Optional.ofNullable(organizationId), Optional.ofNullable(status).map(DeletionsAdminResource::status), size)
                .map(found -> new Success<>(found.stream().map(DeletionView::of).toList(), RequestIds.of(context)));
    }

    @GET
    @Path("/{id}")
    public Uni<Success<DeletionView>> get(@PathParam("id") String id, RoutingContext context) {
        return deletions.get(id).map(found -> new Success<>(found.map(DeletionView::of)
                .orElseThrow(() -> new ApiException(404, "No deletion " + id)), RequestIds.of(context)));
    }

    /** Sends a failed deletion round again. */
    @POST
    @Path("/{id}/retry")
    public Uni<Success<DeletionView>> retry(@PathParam("id") String id, RoutingContext context) {
        return deletions.retry(id).map(found -> new Success<>(found.map(DeletionView::of)
                .orElseThrow(() -> new ApiException(409, "No failed deletion " + id)), RequestIds.of(context)));
    }

    private static Deletions.Status status(String name) {
        try {
            return Deletions.Status.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "status must be one of " + Arrays.stream(Deletions.Status.values())
                    .map(Deletions.Status::wireName).toList());
        }
    }
}
