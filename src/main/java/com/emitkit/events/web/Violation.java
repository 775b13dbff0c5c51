package com.emitkit.events.web;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** One invalid field of a request body, in the SDK's shape: {@code {"path": ["tags", 2], "message": "..."}}. */
@RegisterForReflection
public record Violation(List<Object> path, String message) {
}
