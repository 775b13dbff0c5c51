package com.emitkit.events.tinybird;

import io.smallrye.mutiny.Uni;

import java.util.List;

/**
 * Where rows go when Tinybird does not take them in time: somewhere durable, from which they are sent
 * later. Completing means they are safe; only then are their writers told they were accepted.
 */
public interface DeliveryFallback {

    /**
     * @param mayHaveLanded an earlier send of these rows may have been stored by Tinybird (a timeout, a
     *                      5xx, a connection lost mid-call): they must be looked up before being sent again
     */
    Uni<Void> keep(String datasource, List<TinybirdRow> rows, boolean mayHaveLanded, String reason);
}
