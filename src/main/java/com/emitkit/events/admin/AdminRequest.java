package com.emitkit.events.admin;

import com.emitkit.events.tenancy.Caller;
import com.emitkit.events.tenancy.RetentionTier;
import com.emitkit.events.web.ApiException;
import com.emitkit.events.web.Violation;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One admin request body, read field by field: a field of the wrong type or length is a violation with its
 * path, never a mapping error, and all of them are reported at once ({@link #complete}) in the API's error shape.
 */
final class AdminRequest {

    /** The longest organization, site and key name: a name is a label, shown in lists. */
    static final int MAX_NAME = 100;
    /** Ids are ours and short; a longer one cannot exist. */
    static final int MAX_ID = 64;

    private final JsonNode body;
    private final List<Violation> violations = new ArrayList<>();

    AdminRequest(JsonNode body) {
        this.body = body;
        if (!body.isObject()) {
            violations.add(new Violation(List.of(), "Expected a JSON object"));
        }
    }

    /** A name, stripped: 1 to {@link #MAX_NAME} characters. */
    String name(String field, boolean required) {
        String text = text(field, required, MAX_NAME);
        return text == null ? null : text.strip();
    }

    /** An id of ours. */
    String id(String field) {
        return text(field, true, MAX_ID);
    }

    /** {@code retentionTier}: basic when absent and not required. */
    RetentionTier tier(boolean required) {
        String name = text("retentionTier", required, MAX_NAME);
        if (name == null) {
            return RetentionTier.BASIC;
        }
        try {
            return RetentionTier.fromWire(name);
        } catch (IllegalArgumentException e) {
            violations.add(new Violation(List.of("retentionTier"), "Must be basic, premium or unlimited"));
            return null;
        }
    }

    /** {@code scopes}: required, a non-empty array of the scopes {@link Caller#SCOPES} names. */
    List<String> scopes() {
        JsonNode node = field("scopes");
        if (node == null || !node.isArray() || node.isEmpty()) {
            violations.add(new Violation(List.of("scopes"), "Required: a non-empty array of " + Caller.SCOPES));
            return List.of();
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode scope = node.get(i);
            if (scope.isTextual() && Caller.SCOPES.contains(scope.textValue())) {
                scopes.add(scope.textValue());
            } else {
                violations.add(new Violation(List.of("scopes", i), "Must be one of " + Caller.SCOPES));
            }
        }
        return List.copyOf(scopes);
    }

    /** Throws the violations found so far, as one 400. */
    void complete() {
        if (!violations.isEmpty()) {
            throw ApiException.validation(violations);
        }
    }

    private String text(String field, boolean required, int max) {
        JsonNode node = field(field);
        if (node == null) {
            if (required) {
                violations.add(new Violation(List.of(field), "Required"));
            }
            return null;
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            violations.add(new Violation(List.of(field), "Expected a non-empty string"));
            return null;
        }
        if (node.textValue().codePointCount(0, node.textValue().length()) > max) {
            violations.add(new Violation(List.of(field), "At most " + max + " characters"));
            return null;
        }
        return node.textValue();
    }

    /** The field, null when absent, JSON null, or the body is no object. */
    private JsonNode field(String name) {
        JsonNode node = body.isObject() ? body.get(name) : null;
        return node == null || node.isNull() ? null : node;
    }
}
