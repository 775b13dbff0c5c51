package com.emitkit.events.web;

import com.emitkit.events.codec.RequestBodies;
import com.emitkit.events.config.EmitKitConfig;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a public API request body: JSON only (415 otherwise), gzip allowed and capped after
 * decompression (413), nesting bounded, and malformed JSON a 400 rather than a 500. Strict: one JSON value
 * and nothing after it, no key twice in an object, no number beyond a double's range; any of those would
 * otherwise be read as something the client did not mean (the last duplicate, "Infinity").
 */
@ApplicationScoped
public class JsonBodies {

    private static final int MAX_NESTING = 32;

    private final ObjectMapper json;
    private final long maxDecompressed;

    JsonBodies(ObjectMapper json, EmitKitConfig config) {
        this.json = json.copy();
        this.json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
        this.json.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.maxDecompressed = config.api().maxDecompressedBodySize().asLongValue();
    }

    public JsonNode read(byte[] body, String contentType, String contentEncoding) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "Unsupported media type: send Content-Type: application/json");
        }
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.equalsIgnoreCase("gzip")
                && !contentEncoding.equalsIgnoreCase("identity")) {
            throw new ApiException(415, "Unsupported Content-Encoding '" + contentEncoding + "': send gzip or none");
        }
        byte[] decoded;
        try {
            decoded = RequestBodies.decoded(io.vertx.core.buffer.Buffer.buffer(body), contentEncoding, maxDecompressed);
        } catch (RequestBodies.TooLargeException e) {
            throw new ApiException(413, "Request body too large: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        // Decoded strictly here: Jackson would decode an overlong form or an encoded surrogate.
        String text = Texts.utf8(decoded);
        if (text == null) {
            throw invalid("The body is not valid UTF-8");
        }
        try {
            // A byte order mark is allowed before the value, as Jackson allows it in bytes.
            JsonNode node = json.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
            if (node == null || node.isMissingNode()) {
                throw invalid("The body is empty");
            }
            List<Violation> violations = new ArrayList<>();
            check(node, new ArrayList<>(), violations);
            if (!violations.isEmpty()) {
                throw ApiException.validation(violations);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw invalid("The body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw invalid("The body could not be read");
        }
    }

    /**
     * Every number finite, every string and key a text {@link Texts} accepts (a JSON escape can spell NUL or
     * a lone surrogate): the violations name the path of each bad value.
     */
    private static void check(JsonNode node, List<Object> path, List<Violation> violations) {
        if (node.isObject()) {
            for (var field : node.properties()) {
                path.add(field.getKey());
                String keyProblem = Texts.problem(field.getKey());
                if (keyProblem != null) {
                    violations.add(new Violation(List.copyOf(path), "Key: " + keyProblem));
                }
                check(field.getValue(), path, violations);
                path.removeLast();
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.add(i);
                check(node.get(i), path, violations);
                path.removeLast();
            }
        } else if (node.isTextual()) {
            String problem = Texts.problem(node.textValue());
            if (problem != null) {
                violations.add(new Violation(List.copyOf(path), problem));
            }
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw invalid("The body has a number beyond the range of a double: " + node.asText());
        }
    }

    private static ApiException invalid(String message) {
        return new ApiException(400, message, List.of(new Violation(List.of(), message)), java.util.Map.of());
    }
}
