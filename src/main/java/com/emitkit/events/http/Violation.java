package com.emitkit.events.http;

import java.util.List;

/** One invalid field of a request body, in the SDK's shape: {@code {"path": ["tags", 2], "message": "..."}}. */
public record Violation(List<Object> path, String message) {
}
