package com.emitkit.events.web;

import com.emitkit.events.tenancy.IdempotencyRecords;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code Idempotency-Key} for writes, shared by all replicas through PostgreSQL ({@link IdempotencyRecords}):
 * the first request with a key claims it, runs, and stores its answer; a repeat within 24 hours gets that
 * answer again with {@code X-Idempotent-Replay: true} and writes nothing; the same key with another body, or
 * while its first request still runs, is a 409 {@code idempotency_conflict} (another body was a 422 before
 * the next contract; v2 clients accept any 4xx there). A request that failed releases its key, so the
 * client's retry can run.
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final int MAX_KEY = 255;

    /** A response worth keeping: its status and body. */
    public record Stored(int status, Object body) {
    }

    private final IdempotencyRecords records;
    private final ObjectMapper json;

    Idempotency(IdempotencyRecords records, ObjectMapper json) {
        this.records = records;
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
        return records.claim(organizationId, key, requestHash).flatMap(claimed -> claimed
                ? action.get()
                        .call(stored -> records.store(organizationId, key, stored.status(),
                                new JsonObject(json.convertValue(stored.body(), Map.class))))
                        .onFailure().call(failure -> records.release(organizationId, key).onFailure().recoverWithNull())
                        .map(Idempotency::response)
                : replay(organizationId, key, requestHash));
    }

    private Uni<Response> replay(String organizationId, String key, byte[] requestHash) {
        return records.find(organizationId, key).map(found -> {
            IdempotencyRecords.Entry entry = found.orElseThrow(() -> new ApiException(409,
                    "A request with this Idempotency-Key just failed; retry it", null, Map.of("Retry-After", "1")));
            if (!MessageDigest.isEqual(entry.requestHash(), requestHash)) {
                throw new ApiException(409, "This Idempotency-Key was used with a different request");
            }
            if (entry.status() == null) {
                throw new ApiException(409, "A request with this Idempotency-Key is still in progress", null,
                        Map.of("Retry-After", "1"));
            }
            return Response.status(entry.status()).entity(entry.response().getMap()).header("X-Idempotent-Replay", "true").build();
        });
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
