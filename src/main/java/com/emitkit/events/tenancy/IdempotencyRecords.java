package com.emitkit.events.tenancy;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * The {@code Idempotency-Key} records of an organization's writes, shared by all replicas: claimed by the
 * first request with a key, then holding its answer for 24 hours.
 */
@ApplicationScoped
public class IdempotencyRecords {

    /** A record: the hash of the request that claimed it, and its answer once stored (status null until then). */
    public record Entry(byte[] requestHash, Integer status, JsonObject response) {
    }

    private final Pool pool;

    IdempotencyRecords(Pool pool) {
        this.pool = pool;
    }

    /** Claims the key for this request; false when a record of it exists and is younger than 24 hours. */
    public Uni<Boolean> claim(String organizationId, String key, byte[] requestHash) {
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

    /** The key's record; empty when there is none (its request failed and released it). */
    public Uni<Optional<Entry>> find(String organizationId, String key) {
        return pool.preparedQuery("""
                        SELECT request_hash, status, response FROM idempotency_records
                        WHERE organization_id = $1 AND idempotency_key = $2""")
                .execute(Tuple.of(organizationId, key))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Entry(row.getBuffer("request_hash").getBytes(), row.getInteger("status"),
                            row.getJsonObject("response")));
                });
    }

    /** Stores the answer of the request that claimed the key. */
    public Uni<Void> store(String organizationId, String key, int status, JsonObject response) {
        return pool.preparedQuery("""
                        UPDATE idempotency_records SET status = $3, response = $4
                        WHERE organization_id = $1 AND idempotency_key = $2""")
                .execute(Tuple.of(organizationId, key, status, response))
                .replaceWithVoid();
    }

    /** Forgets the key, so that a retry of a failed request can claim it. */
    public Uni<Void> release(String organizationId, String key) {
        return pool.preparedQuery("DELETE FROM idempotency_records WHERE organization_id = $1 AND idempotency_key = $2")
                .execute(Tuple.of(organizationId, key))
                .replaceWithVoid();
    }
}
