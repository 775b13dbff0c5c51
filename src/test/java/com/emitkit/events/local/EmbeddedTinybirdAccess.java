package com.emitkit.events.local;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Lets tests and benchmarks in other packages run a statement on the embedded engine (seeding, merges). */
@ApplicationScoped
public class EmbeddedTinybirdAccess {

    @Inject
    EmbeddedTinybird embedded;

    public void execute(String sql) {
        embedded.connection().query(sql, "TSV");
    }
}
