package com.emitkit.events.notify;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Items of concurrent callers written by one statement at a time: while a statement runs, what arrives waits and
 * goes together in the next one. Quiet, an item goes at once (no timer); busy, one statement carries many, so the
 * writers share a single connection and commit instead of taking one each from the pool the write path needs.
 * A caller hears of its items once the statement that carried them succeeded or failed.
 */
final class GroupCommit<T> {

    private record Waiting<T>(List<T> items, UniEmitter<? super Void> done) {
    }

    private final int maxItems;
    private final Function<List<T>, Uni<Void>> statement;
    private List<Waiting<T>> queued = new ArrayList<>();
    private boolean writing;

    /** {@code maxItems}: the most one statement carries (a caller's items are never split). */
    GroupCommit(int maxItems, Function<List<T>, Uni<Void>> statement) {
        this.maxItems = maxItems;
        this.statement = statement;
    }

    Uni<Void> write(List<T> items) {
        return Uni.createFrom().emitter(done -> {
            boolean start;
            synchronized (this) {
                queued.add(new Waiting<>(items, done));
                start = !writing;
                writing = true;
            }
            if (start) {
                next();
            }
        });
    }

    private void next() {
        List<Waiting<T>> batch;
        synchronized (this) {
            if (queued.isEmpty()) {
                writing = false;
                return;
            }
            batch = new ArrayList<>();
            int size = 0;
            while (!queued.isEmpty() && (batch.isEmpty() || size + queued.getFirst().items().size() <= maxItems)) {
                Waiting<T> first = queued.removeFirst();
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
