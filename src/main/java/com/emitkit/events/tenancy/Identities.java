package com.emitkit.events.tenancy;

import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The users an organization identified, their properties and their aliases (unique per organization). */
@ApplicationScoped
public class Identities {

    public record FailedAlias(String alias, String reason) {
    }

    public record Identity(String userId, JsonObject properties, List<String> aliasesCreated, List<FailedAlias> aliasesFailed,
                           OffsetDateTime updatedAt) {
    }

    /** An erasure: the deletion of the user's events it recorded, and how many aliases went; empty for an alias. */
    public record Erasure(Optional<Deletions.Deletion> deletion, int aliasesDeleted) {
    }

    private final Pool pool;
    private final Cache aliasOwners;
    private final Deletions deletions;

    Identities(Pool pool, @CacheName("aliases") Cache aliasOwners, Deletions deletions) {
        this.pool = pool;
        this.aliasOwners = aliasOwners;
        this.deletions = deletions;
    }

    /**
     * Erases a user in one transaction: the identity, its properties and its aliases, and records the deletion of
     * the events naming the user or one of its aliases (as events store them) created until now, claimed by the
     * caller for {@code claim}. An alias is not erased by itself: the answer is empty then.
     */
    public Uni<Erasure> erase(String organizationId, String userId, String requestedBy, Duration claim) {
        return pool.withTransaction(connection -> connection
                        .preparedQuery("SELECT 1 FROM identity_aliases WHERE organization_id = $1 AND alias = $2 AND user_id <> $2")
                        .execute(Tuple.of(organizationId, userId))
                        .flatMap(alias -> alias.rowCount() > 0 ? Uni.createFrom().item(new Erasure(Optional.empty(), 0))
                                : connection.preparedQuery("DELETE FROM identity_aliases WHERE organization_id = $1 AND user_id = $2 RETURNING alias")
                                .execute(Tuple.of(organizationId, userId))
                                .flatMap(aliases -> {
                                    List<String> userIds = new ArrayList<>();
                                    userIds.add(userId);
                                    aliases.forEach(row -> userIds.add(row.getString("alias")));
                                    return connection.preparedQuery("DELETE FROM identities WHERE organization_id = $1 AND user_id = $2")
                                            .execute(Tuple.of(organizationId, userId))
                                            .flatMap(ignored -> deletions.insert(connection, new Deletions.Request(organizationId,
                                                    Deletions.Kind.IDENTITY, null, null, userIds, Instant.now(), requestedBy), claim))
                                            .map(deletion -> new Erasure(deletion, aliases.rowCount()));
                                })))
                // An alias cached as naming the user names nobody now.
                .call(erasure -> erasure.deletion().map(deletion -> Multi.createFrom().iterable(deletion.userIds())
                        .onItem().transformToUniAndConcatenate(alias -> aliasOwners.invalidate(aliasKey(organizationId, alias)))
                        .collect().last().replaceWithVoid()).orElse(Uni.createFrom().voidItem()));
    }

    /**
     * Replaces a user's properties and adds aliases, in one transaction. An alias held by another user
     * of the organization is reported as failed, not an error for the whole call.
     */
    public Uni<Identity> identify(String organizationId, String userId, JsonObject properties, List<String> aliases) {
        return pool.withTransaction(connection -> connection.preparedQuery("""
                        INSERT INTO identities (organization_id, user_id, properties) VALUES ($1, $2, $3)
                        ON CONFLICT (organization_id, user_id) DO UPDATE SET properties = EXCLUDED.properties, updated_at = now()
                        RETURNING updated_at""")
                .execute(Tuple.of(organizationId, userId, properties))
                .flatMap(rows -> addAliases(connection, organizationId, userId, aliases, 0, new ArrayList<>(), new ArrayList<>())
                        .map(result -> new Identity(userId, properties, result.created, result.failed,
                                rows.iterator().next().getOffsetDateTime("updated_at")))))
                // An alias cached as naming nobody now names this user.
                .call(identity -> Multi.createFrom().iterable(identity.aliasesCreated())
                        .onItem().transformToUniAndConcatenate(alias -> aliasOwners.invalidate(aliasKey(organizationId, alias)))
                        .collect().last());
    }

    private record AliasResult(List<String> created, List<FailedAlias> failed) {
    }

    private Uni<AliasResult> addAliases(SqlConnection connection, String organizationId, String userId, List<String> aliases,
                                        int index, List<String> created, List<FailedAlias> failed) {
        if (index == aliases.size()) {
            return Uni.createFrom().item(new AliasResult(created, failed));
        }
        String alias = aliases.get(index);
        return connection.preparedQuery("""
                        INSERT INTO identity_aliases (organization_id, alias, user_id) VALUES ($1, $2, $3)
                        ON CONFLICT (organization_id, alias) DO UPDATE SET alias = EXCLUDED.alias
                        RETURNING user_id""")
                .execute(Tuple.of(organizationId, alias, userId))
                .flatMap(rows -> {
                    String owner = rows.iterator().next().getString("user_id");
                    if (owner.equals(userId)) {
                        created.add(alias);
                    } else {
                        failed.add(new FailedAlias(alias, "Alias already belongs to another user"));
                    }
                    return addAliases(connection, organizationId, userId, aliases, index + 1, created, failed);
                });
    }

    /**
     * The user id an event names: the user an alias points to, else the value itself. Cached: an alias
     * never changes owner once created, and one created on another replica is seen within the cache's
     * expiry ({@code quarkus.cache.caffeine.aliases.expire-after-write}); on this replica at once.
     */
    public Uni<String> resolveUser(String organizationId, String userIdOrAlias) {
        return aliasOwners.getAsync(aliasKey(organizationId, userIdOrAlias), ignored -> pool
                .preparedQuery("SELECT user_id FROM identity_aliases WHERE organization_id = $1 AND alias = $2")
                .execute(Tuple.of(organizationId, userIdOrAlias))
                .map(rows -> {
                    java.util.Iterator<Row> it = rows.iterator();
                    return it.hasNext() ? it.next().getString("user_id") : userIdOrAlias;
                }));
    }

    private static String aliasKey(String organizationId, String alias) {
        return organizationId + "\u0000" + alias;
    }
}
