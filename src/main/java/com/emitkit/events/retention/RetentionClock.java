package com.emitkit.events.retention;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Clock;

/**
 * The clock reads measure retention windows (and their default ranges) against: one bean, so that tests
 * can fix "now" for the whole read path. Qualified, so that it stays apart from any other clock (ingest
 * stamps events with its own).
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE})
public @interface RetentionClock {

    /** For programmatic lookups and test mocks. */
    final class Literal extends AnnotationLiteral<RetentionClock> implements RetentionClock {
        public static final Literal INSTANCE = new Literal();
    }

    /** The system clock in production. Normal-scoped, so that a test can swap it (QuarkusMock). */
    @ApplicationScoped
    class SystemClock {
        @Produces
        @ApplicationScoped
        @RetentionClock
        Clock clock() {
            return Clock.systemUTC();
        }
    }
}
