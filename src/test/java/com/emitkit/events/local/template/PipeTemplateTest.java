package com.emitkit.events.local.template;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What the conformance corpus does not cover: where syntax errors point, the guarantees against injection
 * (including the places where we refuse what Tinybird would print raw), the bounds on loops, and how errors
 * reach the API. Tinybird's own behaviour is in {@link TinybirdConformanceTest}.
 */
class PipeTemplateTest {

    private static String render(String template, Map<String, String> params) {
        return PipeTemplate.parse(template).render(params);
    }

    private static TemplateParameterException parameterError(String template, Map<String, String> params) {
        PipeTemplate parsed = PipeTemplate.parse(template);
        return assertThrows(TemplateParameterException.class, () -> parsed.render(params), template);
    }

    private static TemplateSyntaxException syntaxError(String template) {
        return assertThrows(TemplateSyntaxException.class, () -> PipeTemplate.parse(template), template);
    }

    @Test
    void syntaxErrorsReportTheLine() {
        assertEquals(2, syntaxError("SELECT 1\n{{ foo(x) }}").line());
        assertEquals(2, syntaxError("SELECT 1\nWHERE a = {{ String(a)\n").line());
        assertEquals(2, syntaxError("SELECT 1\n{% if x %}\nWHERE 1\n").line());
        assertEquals(4, syntaxError("{% if x %}\n{% end %}\n\n{% end %}").line());
        assertEquals(3, syntaxError("{# a comment\nover two lines #}\n{% extends 'x' %}").line());
        assertEquals(1, syntaxError("{% else %}").line());
        assertEquals(1, syntaxError("SELECT {# unterminated").line());
        assertEquals(3, syntaxError("SELECT\n1\n{{ DateTime64(d, '2020-01-01') }}").line());
    }

    @Test
    void unsupportedConstructsAreSyntaxErrorsNamingThem() {
        Map<String, String> templates = Map.ofEntries(
                Map.entry("{{ (lambda x: x)(1) }}", "lambda"),
                Map.entry("{{ [x for x in y] }}", "comprehensions"),
                Map.entry("{{ f'{x}' }}", "f-strings"),
                Map.entry("{{ 1 | 2 }}", "bitwise"),
                Map.entry("{% extends 'base.sql' %}", "extends"),
                Map.entry("{% include 'a.sql' %}", "include"),
                Map.entry("{% from os import path %}", "import is forbidden"),
                Map.entry("{{ (x := 1) }}", "':='"),
                Map.entry("{{ {1, 2} }}", "set literals"),
                Map.entry("{{ table('t') }}", "'table' is not supported"),
                Map.entry("{{ round(1.5) }}", "'round' is a Python built-in that the embedded Tinybird does not evaluate"),
                Map.entry("{{ x.zfill(3) }}", "the method .zfill() is not one the embedded Tinybird evaluates"),
                Map.entry("{% if x %}{% else %}{% elif y %}{% end %}", "out of place"),
                Map.entry("{% try %}x{% end %}", "needs an {% except %}"));
        assertAll(templates.entrySet().stream().map(e -> (Executable) () -> {
            TemplateSyntaxException error = syntaxError(e.getKey());
            assertTrue(error.getMessage().contains(e.getValue()), error.getMessage());
        }));
    }

    @Test
    void randomValuesNeverCloseTheStringLiteral() {
        char[] alphabet = {'\'', '"', '\\', '%', '`', '\n', '\r', '\t', '\0', '\b', '\u001a', 'a', ' ', '{', '}', '-', '#'};
        Random random = new Random(42);
        PipeTemplate bare = PipeTemplate.parse("SELECT {{ p }}");
        PipeTemplate typed = PipeTemplate.parse("SELECT {{ String(p) }}");
        PipeTemplate unescaped = PipeTemplate.parse("SELECT {{ sql_unescape(String(p), '%') }}");
        for (int i = 0; i < 2000; i++) {
            StringBuilder value = new StringBuilder();
            for (int j = random.nextInt(12); j > 0; j--) {
                value.append(alphabet[random.nextInt(alphabet.length)]);
            }
            Map<String, String> params = Map.of("p", value.toString());
            for (PipeTemplate template : List.of(bare, typed, unescaped)) {
                String sql = template.render(params);
                assertEquals(sql.length() - 1, literalEnd(sql, "SELECT ".length()), sql);
            }
        }
    }

    /** Index of the quote that closes the ClickHouse string literal starting at {@code start}. */
    private static int literalEnd(String sql, int start) {
        assertEquals('\'', sql.charAt(start), sql);
        int i = start + 1;
        while (sql.charAt(i) != '\'') {
            i += sql.charAt(i) == '\\' ? 2 : 1;
        }
        return i;
    }

    @Test
    void valuesAreNeverRenderedAsTemplate() {
        assertEquals("SELECT '{{ String(secret) }}', '{\\% end \\%}'",
                render("SELECT {{ String(a) }}, {{ String(b) }}", Map.of("a", "{{ String(secret) }}", "b", "{% end %}")));
    }

    @Test
    void identifiersCannotBeClosedByTheValue() {
        assertEquals("ORDER BY `a\\`; DROP TABLE t; --`", render("ORDER BY {{ column(c, 'x') }}", Map.of("c", "a`; DROP TABLE t; --")));
        assertEquals("SELECT \"a\\'b\"", render("SELECT {{ symbol(c, '\"') }}", Map.of("c", "a'\"b")));
    }

    @Test
    void whereTinybirdPrintsValuesRawWeRefuseThem() {
        // sql_unescape of nothing, of a quote or of a backslash would let the value close the literal.
        for (String what : List.of("", "'", "\\\\")) {
            TemplateParameterException e = parameterError("SELECT {{ sql_unescape(String(p), \"" + what + "\") }}", Map.of("p", "x' OR 1=1 --"));
            assertTrue(e.getMessage().contains("could end the string literal"), e.getMessage());
        }
        assertTrue(parameterError("SELECT {{ symbol(c, quote_char) }}", Map.of("c", "x", "quote_char", "' OR 1 --")).getMessage()
                .contains("quote must be"));
        assertTrue(parameterError("SELECT {{ columns(c, 'a', f) }}", Map.of("f", "sleep(3) --")).getMessage()
                .contains("fn must be a function name"));
        assertEquals("SELECT sum(`a b`) as `a b`", render("SELECT {{ columns(c, 'x', 'sum') }}", Map.of("c", "a b")));
        assertTrue(parameterError("WHERE a > 1 -{{ Int(p) }} AND org = 'o'", Map.of("p", "-5")).getMessage()
                .contains("would make the rest of the line a SQL comment"));
        assertEquals("WHERE a > 1 -5 AND org = 'o'", render("WHERE a > 1 -{{ Int(p) }} AND org = 'o'", Map.of("p", "5")));
        assertEquals("-- max_threads: wrong argument 1 DROP TABLE t\nSELECT 1",
                render("{{ max_threads(n) }}SELECT 1", Map.of("n", "1\nDROP TABLE t")));
    }

    @Test
    void anExceptionCannotBePrintedRaw() {
        String template = "{% try %}{{ Int32(p) }}{% except Exception as e %}{{ e }}{% end %}";
        assertTrue(parameterError(template, Map.of("p", "1; DROP TABLE t")).getMessage().contains("print str(e)"));
        assertEquals("'Template Syntax Error: Error validating \\'x\\' to type Int32'",
                render("{% try %}{{ Int32(p) }}{% except Exception as e %}{{ str(e) }}{% end %}", Map.of("p", "x")));
    }

    @Test
    void requiredParameterInAFalseBranchIsNotEvaluated() {
        assertEquals("SELECT 1", render("SELECT 1{% if False %}, {{ String(never_passed) }}{% end %}", Map.of()));
        assertEquals("x", render("{% if defined(n) and Int32(n) > 5 %}big{% else %}x{% end %}", Map.of()));
    }

    @Test
    void loopsAndSequencesAreBounded() {
        assertTrue(parameterError("{% for i in range(Int(n)) %}{% end %}", Map.of("n", "1000000")).getMessage()
                .contains("range() longer than"));
        assertTrue(parameterError("{{ 'a' * Int(n) }}", Map.of("n", "2000000000")).getMessage().contains("sequence larger than"));
        assertTrue(parameterError("{% set l = [1] %}{% for i in range(40) %}{% set l = l + l %}{% end %}", Map.of())
                .getMessage().contains("sequence larger than"));
        assertTrue(parameterError("{% for i in range(2000) %}{% for j in range(1000) %}{% end %}{% end %}", Map.of())
                .getMessage().contains("more than 1000000 loop iterations"));
        assertTrue(parameterError("{{ JSON(p) }}", Map.of("p", "[".repeat(600))).getMessage()
                .endsWith("maximum recursion depth exceeded while decoding a JSON array from a unicode string"));
    }

    @Test
    void errorsCarryTinybirdsDocumentationLink() {
        TemplateParameterException validation = parameterError("{{ Int32(p) }}", Map.of("p", "x"));
        assertEquals("https://www.tinybird.co/docs/cli/advanced-templates.html", validation.documentation());
        TemplateParameterException raised = parameterError("{{ error('no') }}", Map.of());
        assertEquals("https://www.tinybird.co/docs/query/query-parameters.html", raised.documentation());
    }

    @Test
    void customErrorBodyIsJsonForADictAndTextOtherwise() {
        PipeTemplate dict = PipeTemplate.parse("{{ custom_error({'error': '</script>', 'n': [1, 2.5, None, True]}, 409) }}");
        TemplateCustomErrorException e = assertThrows(TemplateCustomErrorException.class, () -> dict.render(Map.of()));
        assertEquals(409, e.status());
        assertEquals("{\"error\": \"<\\/script>\", \"n\": [1, 2.5, null, true]}", e.body());
        assertTrue(e.contentType().startsWith("application/json"));
        PipeTemplate text = PipeTemplate.parse("{{ custom_error('gone', 410) }}");
        TemplateCustomErrorException plain = assertThrows(TemplateCustomErrorException.class, () -> text.render(Map.of()));
        assertEquals("gone", plain.body());
        assertTrue(plain.contentType().startsWith("text/html"));
    }

    @Test
    void secretsComeFromTheEnvironmentByPrefix() {
        assertEquals("TB_SECRET_", PipeTemplate.SECRET_ENVIRONMENT_PREFIX);
        assertEquals("SELECT 'v%\\'\\\\'", PipeTemplate.parse("SELECT {{ tb_secret('s') }}")
                .render(Map.of(), name -> name.equals("s") ? "v%'\\" : null), "read back exactly, as a query parameter is");
    }

    @Test
    void parameterNamesListsEveryParameterInOrder() {
        PipeTemplate template = PipeTemplate.parse("""
                SELECT {{ String(a) }}
                {% if defined(b) and c == 'x' %}ORDER BY {{ column(d, 'ts') }}{% end %}
                {% for item in split_to_array(e, '') %}{{ item }}{{ len(id) }}{% end %}
                {% if Array(f, 'Int32', '') %}{{ String(a) }}{% end %}""");
        assertEquals(List.of("a", "b", "c", "d", "e", "id", "f"), List.copyOf(template.parameterNames()));
    }

    @Test
    void textAndSqlBracesPassThrough() {
        assertEquals("SELECT map('a', 1), {x:String} FROM t ", render("SELECT map('a', 1), {x:String} FROM t {# c #}", Map.of()));
        assertEquals("SELECT '}}' ", render("SELECT '}}' {# } #}", Map.of()));
        assertEquals("SELECT {'a'}", render("SELECT {{{ x }}}", Map.of("x", "a")));
    }

    @Test
    void aTemplateRendersConcurrently() throws InterruptedException {
        PipeTemplate template = PipeTemplate.parse("{% set n = Int32(p) %}{% for i in range(3) %}{{ n }}{% end %}");
        List<Thread> threads = new java.util.ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < 8; t++) {
            String value = Integer.toString(t);
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        String expected = ("toInt32('" + value + "')").repeat(3);
                        assertEquals(expected, template.render(Map.of("p", value)));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
    }
}
