package com.emitkit.events.web;

import com.emitkit.events.codec.RequestBodies;
import com.emitkit.events.config.EmitKitConfig;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a public API request body: JSON only (415 otherwise), gzip allowed and capped after
 * decompression (413), nesting bounded, and malformed JSON a 400 rather than a 500. Strict: one JSON value
 * and nothing after it, no key twice in an object, no number beyond a double's range; any of those would
 * otherwise be read as something the client did not mean (the last duplicate, "Infinity"). Every string and key
 * must be a text {@link Texts} accepts (a JSON escape can spell NUL or a lone surrogate): the 400 names the path
 * of each bad one. A body is read as a tree ({@link #read}) or, where it is large and hot (events), token by token
 * ({@link #stream}) under the same rules.
 */
@ApplicationScoped
public class JsonBodies {

    private static final int MAX_NESTING = 32;

    /** Reads the body's value from a parser positioned at its first token; it must consume exactly that value. */
    @FunctionalInterface
    public interface ValueReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    private final ObjectMapper json;
    private final long maxDecompressed;

    JsonBodies(ObjectMapper json, EmitKitConfig config) {
        this.json = json.copy();
        this.json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
        this.json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.maxDecompressed = config.api().maxDecompressedBodySize().asLongValue();
    }

    public JsonNode read(byte[] body, String contentType, String contentEncoding) {
        return stream(body, contentType, contentEncoding, JsonParser::readValueAsTree);
    }

    /**
     * The body read by {@code reader} from a parser that checks every token it reads or skips: a number beyond a
     * double's range ends the read, and the reader's result is dropped for a 400 naming every bad text or key.
     */
    public <T> T stream(byte[] body, String contentType, String contentEncoding, ValueReader<T> reader) {
        byte[] decoded = decoded(body, contentType, contentEncoding);
        // Checked strictly here: Jackson would decode an overlong form or an encoded surrogate.
        if (!Texts.isUtf8(decoded)) {
            throw invalid("The body is not valid UTF-8");
        }
        // A byte order mark is allowed before the value: Jackson skips it in bytes.
        try (CheckedParser parser = new CheckedParser(json.getFactory().createParser(decoded))) {
            parser.setCodec(json);
            if (parser.nextToken() == null) {
                throw invalid("The body is empty");
            }
            T value = reader.read(parser);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw invalid("The body is not valid JSON: trailing token (" + trailing + ") after its value");
            }
            if (!parser.violations.isEmpty()) {
                throw ApiException.validation(parser.violations);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw invalid("The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("The body could not be read");
        }
    }

    private byte[] decoded(byte[] body, String contentType, String contentEncoding) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "Unsupported media type: send Content-Type: application/json");
        }
        if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.equalsIgnoreCase("gzip")
                && !contentEncoding.equalsIgnoreCase("identity")) {
            throw new ApiException(415, "Unsupported Content-Encoding '" + contentEncoding + "': send gzip or none");
        }
        try {
            return RequestBodies.decoded(io.vertx.core.buffer.Buffer.buffer(body), contentEncoding, maxDecompressed);
        } catch (RequestBodies.TooLargeException e) {
            throw new ApiException(413, "Request body too large: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    /**
     * Checks each token as it is read: a bad key or string is noted with its path (reading goes on, so the 400 lists
     * them all), a number beyond a double's range ends the read. Skipping a value reads its tokens through here too.
     */
    private static final class CheckedParser extends JsonParserDelegate {

        final List<Violation> violations = new ArrayList<>();

        CheckedParser(JsonParser parser) {
            super(parser);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = delegate.nextToken();
            if (token == JsonToken.FIELD_NAME) {
                String problem = Texts.problem(delegate.currentName());
                if (problem != null) {
                    violations.add(new Violation(path(), "Key: " + problem));
                }
            } else if (token == JsonToken.VALUE_STRING) {
                String problem = Texts.problem(delegate.getText());
                if (problem != null) {
                    violations.add(new Violation(path(), problem));
                }
            } else if (token == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(delegate.getDoubleValue())) {
                throw invalid("The body has a number beyond the range of a double: " + delegate.getDoubleValue());
            }
            return token;
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken token = nextToken();
            return token == JsonToken.FIELD_NAME ? nextToken() : token;
        }

        @Override
        public JsonParser skipChildren() throws IOException {
            if (currentToken() != JsonToken.START_OBJECT && currentToken() != JsonToken.START_ARRAY) {
                return this;
            }
            int open = 1;
            while (open > 0) {
                JsonToken token = nextToken();
                if (token == null) {
                    return this;
                }
                if (token.isStructStart()) {
                    open++;
                } else if (token.isStructEnd()) {
                    open--;
                }
            }
            return this;
        }

        /** Where the current token is, as a violation names it: keys and array indexes from the root. */
        private List<Object> path() {
            Deque<Object> path = new ArrayDeque<>();
            for (JsonStreamContext context = delegate.getParsingContext(); context != null && !context.inRoot();
                 context = context.getParent()) {
                path.addFirst(context.inArray() ? (Object) context.getCurrentIndex() : context.getCurrentName());
            }
            return List.copyOf(path);
        }
    }

    private static ApiException invalid(String message) {
        return new ApiException(400, message, List.of(new Violation(List.of(), message)), Map.of());
    }
}
