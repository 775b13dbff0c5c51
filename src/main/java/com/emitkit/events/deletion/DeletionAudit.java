package com.emitkit.events.deletion;

import com.emitkit.events.tenancy.Deletions.Deletion;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The audit trail of deletions, on the log category {@code emitkit.audit.deletions}: who asked (an API key's id,
 * {@code admin} or {@code schedule}), what kind, in which organization, when, and how it ended. Never the erased
 * data: no user id, alias, title or metadata; an event's or site's id only (they carry no personal data). The
 * deletion id leads to its record ({@code GET /admin/deletions/{id}}), which drops its user ids once done.
 */
@ApplicationScoped
public class DeletionAudit {

    private static final Logger AUDIT = Logger.getLogger("emitkit.audit.deletions");

    void recorded(Deletion deletion) {
        AUDIT.infof("deletion %s recorded: kind=%s organization=%s%s requested_by=%s requested_at=%s", deletion.id(),
                deletion.kind().wireName(), deletion.organizationId(), target(deletion), deletion.requestedBy(),
                deletion.requestedAt());
    }

    void done(Deletion deletion) {
        AUDIT.infof("deletion %s done: kind=%s organization=%s%s events_deleted=%d completed_at=%s", deletion.id(),
                deletion.kind().wireName(), deletion.organizationId(), target(deletion), deletion.eventsDeleted(),
                deletion.completedAt());
    }

    void failed(Deletion deletion) {
        AUDIT.warnf("deletion %s failed after %d attempts: kind=%s organization=%s%s", deletion.id(), deletion.attempts(),
                deletion.kind().wireName(), deletion.organizationId(), target(deletion));
    }

    void siteDeleted(String organizationId, String siteId, String requestedBy) {
        AUDIT.infof("site %s of organization %s soft-deleted: requested_by=%s", siteId, organizationId, requestedBy);
    }

    void siteRestored(String organizationId, String siteId, String requestedBy) {
        AUDIT.infof("site %s of organization %s restored: requested_by=%s", siteId, organizationId, requestedBy);
    }

    /** What was deleted, as far as it is not personal data. */
    private static String target(Deletion deletion) {
        return switch (deletion.kind()) {
            case EVENT -> " event=" + deletion.eventId();
            case SITE -> " site=" + deletion.siteId();
            case IDENTITY -> "";
        };
    }
}
