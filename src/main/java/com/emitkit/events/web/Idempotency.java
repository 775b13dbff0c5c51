package com.emitkit.events.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code Idempotency-Key} for writes, shared by all replicas through PostgreSQL: the first request with
 * a key claims it, runs, and stores its answer; a repeat within 24 hours gets that answer again with
 * {@code X-Idempotent-Replay: true} and writes nothing; the same key with another body is a 422.
 * A request that failed releases its key, so the client's retry can run.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final int MAX_KEY = 255;

    /** A response worth keeping: its status and body. */
    public record Stored(int status, Object body) {
    }

    private final Pool pool;
    private final ObjectMapper json;

    Idempotency(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    public Uni<Response> run(String organizationId, String key, String route, byte[] body, Supplier<Uni<Stored>> action) {
        if (key == null) {
            return action.get().map(Idempotency::response);
        }
        if (key.isBlank() || key.length() > MAX_KEY) {
            return Uni.createFrom().failure(new ApiException(400, "Idempotency-Key must be 1 to " + MAX_KEY + " characters"));
        }
        byte[] requestHash = hash(route, body);
        return claim(organizationId, key, requestHash).flatMap(claimed -> claimed
                ? action.get()
                        .call(stored -> store(organizationId, key, stored))
                        .onFailure().call(failure -> release(organizationId, key))
                        .map(Idempotency::response)
                : replay(organizationId, key, requestHash));
    }

    private Uni<Boolean> claim(String organizationId, String key, byte[] requestHash) {
        // A record past its 24 hours no longer counts: it is replaced by this request's claim.
        return pool.preparedQuery("""
                        INSERT INTO idempotency_records (organization_id, idempotency_key, request_hash) VALUES ($1, $2, $3)
                        ON CONFLICT (organization_id, idempotency_key) DO UPDATE
                            SET request_hash = EXCLUDED.request_hash, status = NULL, response = NULL, created_at = now()
                            WHERE idempotency_records.created_at < now() - interval '24 hours'
                        """)
                .execute(Tuple.of(organizationId, key, requestHash))
                .map(rows -> rows.rowCount() == 1);
    }

    private Uni<Response> replay(String organizationId, String key, byte[] requestHash) {
        return pool.preparedQuery("""
                        SELECT request_hash, status, response FROM idempotency_records
                        WHERE organization_id = $1 AND idempotency_key = $2""")
                .execute(Tuple.of(organizationId, key))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new ApiException(409, "A request with this Idempotency-Key just failed; retry it", null,
                                Map.of("Retry-After", "1"));
                    }
                    Row row = rows.iterator().next();
                    if (!MessageDigest.isEqual(row.getBuffer("request_hash").getBytes(), requestHash)) {
                        throw new ApiException(422, "This Idempotency-Key was used with a different request");
                    }
                    if (row.getInteger("status") == null) {
                        throw new ApiException(409, "A request with this Idempotency-Key is still in progress", null,
                                Map.of("Retry-After", "1"));
                    }
                    return Response.status(row.getInteger("status")).entity(row.getJsonObject("response").getMap())
                            .header("X-Idempotent-Replay", "true").build();
                });
    }

    private Uni<Void> store(String organizationId, String key, Stored stored) {
        JsonObject body = new JsonObject(json.convertValue(stored.body(), Map.class));
        return pool.preparedQuery("""
                        UPDATE idempotency_records SET status = $3, response = $4
                        WHERE organization_id = $1 AND idempotency_key = $2""")
                .execute(Tuple.of(organizationId, key, stored.status(), body))
                .replaceWithVoid();
    }

    private Uni<Void> release(String organizationId, String key) {
        return pool.preparedQuery("DELETE FROM idempotency_records WHERE organization_id = $1 AND idempotency_key = $2")
                .execute(Tuple.of(organizationId, key))
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    private static Response response(Stored stored) {
        return Response.status(stored.status()).entity(stored.body()).build();
    }

    private static byte[] hash(String route, byte[] body) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(route.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            return sha256.digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
