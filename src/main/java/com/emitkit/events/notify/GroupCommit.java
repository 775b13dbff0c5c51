package com.emitkit.events.notify;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Items of concurrent callers written by a few statements at a time: while they run, what arrives waits and goes
 * together in the next one. Quiet, an item goes at once (no timer); busy, one statement carries many, so the
 * writers share a few connections and commits instead of taking one each from the pool the write path needs.
 * A caller hears of its items once the statement that carried them succeeded or failed.
 */
final class GroupCommit<T> {

    private record Waiting<T>(List<T> items, UniEmitter<? super Void> done) {
    }

    private final int maxItems;
    private final int maxStatements;
    private final Function<List<T>, Uni<Void>> statement;
    private final Deque<Waiting<T>> queued = new ArrayDeque<>();
    private int running;

    /**
     * {@code maxItems}: the most one statement carries (a caller's items are never split); {@code maxStatements}: how
     * many run at once (more cut the wait for a busy one, fewer make bigger statements).
     */
    GroupCommit(int maxItems, int maxStatements, Function<List<T>, Uni<Void>> statement) {
        this.maxItems = maxItems;
        this.maxStatements = maxStatements;
        this.statement = statement;
    }

    Uni<Void> write(List<T> items) {
        return Uni.createFrom().emitter(done -> {
            boolean start;
            synchronized (this) {
                queued.add(new Waiting<>(items, done));
                start = running < maxStatements;
                if (start) {
                    running++;
                }
            }
            if (start) {
                next();
            }
        });
    }

    /** Runs the next statement in a slot this caller holds, or gives the slot back when nothing waits. */
    private void next() {
        List<Waiting<T>> batch;
        synchronized (this) {
            if (queued.isEmpty()) {
                running--;
                return;
            }
            batch = new ArrayList<>();
            int size = 0;
            while (!queued.isEmpty() && (batch.isEmpty() || size + queued.peekFirst().items().size() <= maxItems)) {
                Waiting<T> first = queued.pollFirst();
                batch.add(first);
                size += first.items().size();
            }
        }
        List<T> items = new ArrayList<>();
        batch.forEach(waiting -> items.addAll(waiting.items()));
        Uni<Void> written;
        try {
            written = statement.apply(items);
        } catch (RuntimeException e) {
            written = Uni.createFrom().failure(e);
        }
        written.subscribe().with(ignored -> {
            batch.forEach(waiting -> waiting.done().complete(null));
            next();
        }, failure -> {
            batch.forEach(waiting -> waiting.done().fail(failure));
            next();
        });
    }
}
