package com.emitkit.events.tenancy;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * API keys: issued once in clear, stored as a SHA-256, looked up through a short cache (see
 * {@code quarkus.cache.caffeine.api-keys.expire-after-write}): a revoked key is refused on this replica
 * at once, on the others within that bound. The cache is keyed by the presented key's bytes, so a request
 * whose key was seen lately costs no hash (the SHA-256 is only computed for the database lookup).
 */
@ApplicationScoped
public class ApiKeys {

    static final String PREFIX = "emitkit_";

    /** What issuing a key returns: the clear key, shown this once. */
    @RegisterForReflection
    public record IssuedKey(String id, String key, String prefix, String organizationId, String siteId, List<String> scopes) {
        @Override
        public String toString() {
            return "IssuedKey[" + id + ", " + prefix + "...]";
        }
    }

    /** A key as listed, without its secret. */
    public record KeyInfo(String id, String name, String prefix, String siteId, List<String> scopes, boolean revoked) {
    }

    private final Pool pool;
    private final Cache cache;

    ApiKeys(Pool pool, @CacheName("api-keys") Cache cache) {
        this.pool = pool;
        this.cache = cache;
    }

    public Uni<IssuedKey> issue(String organizationId, String siteId, String name, List<String> scopes) {
        String key = PREFIX + Ids.secret(40);
        String id = Ids.next("key");
        String prefix = key.substring(0, PREFIX.length() + 6);
        return pool.preparedQuery("""
                        INSERT INTO api_keys (id, organization_id, site_id, name, prefix, key_hash, scopes)
                        SELECT $1, s.organization_id, s.id, $4, $5, $6, $7 FROM sites s
                        WHERE s.id = $3 AND s.organization_id = $2""")
                .execute(Tuple.tuple(List.of(id, organizationId, siteId, name, prefix, hash(key), scopes.toArray(String[]::new))))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new TenancyException.NotFound("No site " + siteId + " in organization " + organizationId);
                    }
                    return new IssuedKey(id, key, prefix, organizationId, siteId, scopes);
                });
    }

    public Uni<Boolean> revoke(String organizationId, String keyId) {
        return pool.preparedQuery("""
                        UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL
                        RETURNING key_hash""")
                .execute(Tuple.of(keyId, organizationId))
                .call(rows -> cache.invalidateAll())
                .map(rows -> rows.rowCount() > 0);
    }

    public Uni<List<KeyInfo>> list(String organizationId) {
        return pool.preparedQuery("""
                        SELECT id, name, prefix, site_id, scopes, revoked_at IS NOT NULL AS revoked FROM api_keys
                        WHERE organization_id = $1 ORDER BY created_at""")
                .execute(Tuple.of(organizationId))
                .map(rows -> {
                    List<KeyInfo> keys = new java.util.ArrayList<>();
                    rows.forEach(r -> keys.add(new KeyInfo(r.getString("id"), r.getString("name"), r.getString("prefix"),
                            r.getString("site_id"), List.of(r.getArrayOfStrings("scopes")), r.getBoolean("revoked"))));
                    return keys;
                });
    }

    /** Whether a bearer credential has the shape of an API key (else it may be a dashboard token). */
    public static boolean looksLikeKey(String credential) {
        return credential.startsWith(PREFIX);
    }

    /** Looks a key up: its caller, or whether it is unknown or revoked. */
    public Uni<Lookup> authenticate(String key) {
        if (key == null || !key.startsWith(PREFIX) || key.length() > 200) {
            return Uni.createFrom().item(Lookup.UNKNOWN);
        }
        return cache.getAsync(new PresentedKey(key.getBytes(StandardCharsets.UTF_8)), ignored -> find(key));
    }

    /**
     * A presented key as a cache key: equal only to the same bytes, compared in constant time, so that neither
     * a hash collision nor the time a comparison takes tells one key from another.
     */
    static final class PresentedKey {
        private final byte[] bytes;
        private final int hash;

        PresentedKey(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof PresentedKey presented && MessageDigest.isEqual(bytes, presented.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "PresentedKey[...]";
        }
    }

    /** The outcome of looking a key up. */
    public record Lookup(Optional<Caller> caller, boolean revoked) {
        static final Lookup UNKNOWN = new Lookup(Optional.empty(), false);
        static final Lookup REVOKED = new Lookup(Optional.empty(), true);
    }

    private Uni<Lookup> find(String key) {
        return pool.preparedQuery("""
                        SELECT k.id, k.organization_id, k.site_id, k.scopes, k.revoked_at, s.deleted_at AS site_deleted_at,
                            o.retention_tier, o.widest_tier_ever
                        FROM api_keys k JOIN organizations o ON o.id = k.organization_id JOIN sites s ON s.id = k.site_id
                        WHERE k.key_hash = $1""")
                .execute(Tuple.of(hash(key)))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Lookup.UNKNOWN;
                    }
                    Row row = rows.iterator().next();
                    // A deleted site's keys stop working with it, and work again if it is restored.
                    if (row.getValue("revoked_at") != null || row.getValue("site_deleted_at") != null) {
                        return Lookup.REVOKED;
                    }
                    return new Lookup(Optional.of(new Caller(row.getString("id"), row.getString("organization_id"),
                            row.getString("site_id"), RetentionTier.fromWire(row.getString("retention_tier")),
                            RetentionTier.fromWire(row.getString("widest_tier_ever")), Set.of(row.getArrayOfStrings("scopes")))),
                            false);
                });
    }

    /** Forgets cached lookups, e.g. after an organization's tiers changed. */
    Uni<Void> forgetAll() {
        return cache.invalidateAll();
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
