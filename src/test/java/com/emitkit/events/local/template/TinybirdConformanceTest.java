package com.emitkit.events.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case of {@code tinybird-conformance/cases.json}: a template, request parameters (and secrets), and
 * what Tinybird's renderer answers, as its source ({@code sql_template.py}, {@code datatypes.py}) shows it:
 * the SQL, an error (status and exact message, or custom body), or a syntax error found when the pipe is pushed.
 */
class TinybirdConformanceTest {

    /** One case; exactly one of sql, message, body and syntaxError is set. */
    record Case(String name, String template, Map<String, String> params, Map<String, String> secrets, String sql,
                Integer status, String message, String body, String syntaxError, String source) {
    }

    static Stream<Arguments> cases() throws IOException {
        ObjectMapper mapper = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try (InputStream in = TinybirdConformanceTest.class.getResourceAsStream("/tinybird-conformance/cases.json")) {
            List<Case> cases = List.of(mapper.readValue(in, Case[].class));
            return cases.stream().map(c -> Arguments.of(c.name(), c));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsTinybird(String name, Case c) {
        if (c.syntaxError() != null) {
            TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class, () -> PipeTemplate.parse(c.template()));
            assertTrue(e.getMessage().contains(c.syntaxError()), e.getMessage());
            return;
        }
        PipeTemplate template = PipeTemplate.parse(c.template());
        Map<String, String> params = c.params() == null ? Map.of() : c.params();
        Map<String, String> secrets = c.secrets() == null ? Map.of() : c.secrets();
        if (c.sql() != null) {
            assertEquals(c.sql(), template.render(params, secrets::get));
        } else if (c.body() != null) {
            TemplateCustomErrorException e = assertThrows(TemplateCustomErrorException.class,
                    () -> template.render(params, secrets::get));
            assertEquals(c.status(), e.status());
            assertEquals(c.body(), e.body());
        } else {
            TemplateParameterException e = assertThrows(TemplateParameterException.class,
                    () -> template.render(params, secrets::get));
            assertEquals(400, c.status());
            assertEquals(c.message(), e.getMessage());
        }
    }
}
