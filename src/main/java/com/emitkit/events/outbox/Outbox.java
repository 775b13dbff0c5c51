package com.emitkit.events.outbox;

import com.emitkit.events.tinybird.DeliveryFallback;
import com.emitkit.events.tinybird.EventSelection;
import com.emitkit.events.tinybird.TinybirdRow;
import com.emitkit.events.tinybird.TinybirdTime;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The PostgreSQL outbox: rows Tinybird did not take are kept here in one statement (atomic, committed
 * when it returns), and only then are their writers told they were accepted. {@link OutboxRelay}
 * delivers them.
 */
@ApplicationScoped
public class Outbox implements DeliveryFallback {

    private final Pool pool;
    private final OutboxRelay relay;

    Outbox(Pool pool, OutboxRelay relay) {
        this.pool = pool;
        this.relay = relay;
    }

    @Override
    public Uni<Void> keep(String datasource, List<TinybirdRow> rows, boolean mayHaveLanded, String reason) {
        return pool.preparedQuery("""
                        INSERT INTO outbox_rows (organization_id, datasource, row_id, created_at, line, may_have_landed, reason)
                        SELECT r.organization_id, $5, r.row_id, r.created_at, r.line, $6, $7
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
                            AS r(organization_id, row_id, created_at, line, position)
                        ORDER BY r.position""")
                .execute(Tuple.from(List.of(
                        rows.stream().map(TinybirdRow::organizationId).toArray(String[]::new),
                        rows.stream().map(TinybirdRow::id).toArray(String[]::new),
                        rows.stream().map(TinybirdRow::createdAt).toArray(String[]::new),
                        rows.stream().map(TinybirdRow::json).toArray(String[]::new),
                        datasource, mayHaveLanded, reason)))
                .invoke(() -> relay.kept(rows.size()))
                .replaceWithVoid();
    }

    /**
     * Deletes the kept rows of the {@code events} datasource that a deletion selects, so they are never delivered
     * (a relay send already under way is caught by the deletion's later pass). Answers how many went.
     */
    public Uni<Integer> discard(EventSelection selection) {
        return pool.preparedQuery("""
                        DELETE FROM outbox_rows WHERE organization_id = $1 AND datasource = 'events'
                            AND ($2::text IS NULL OR (line::jsonb ->> 'site_id') = $2)
                            AND ($3::text IS NULL OR row_id = $3)
                            AND ($4::text[] IS NULL OR (line::jsonb ->> 'user_id') = ANY($4))
                            AND ($5::text IS NULL OR created_at <= $5)""")
                .execute(Tuple.from(java.util.Arrays.asList(selection.organizationId(), selection.siteId(), selection.eventId(),
                        selection.userIds() == null ? null : selection.userIds().toArray(String[]::new),
                        selection.createdUpTo() == null ? null : TinybirdTime.format(selection.createdUpTo()))))
                .map(rows -> {
                    relay.kept(-rows.rowCount());
                    return rows.rowCount();
                });
    }
}
