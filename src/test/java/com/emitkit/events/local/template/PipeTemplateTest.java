package com.emitkit.events.local.template;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PipeTemplateTest {

    private static String render(String template, Map<String, String> params) {
        return PipeTemplate.parse(template).render(params);
    }

    private static String render(String template) {
        return render(template, Map.of());
    }

    private static String renderValue(String expression, String value) {
        return render("{{ " + expression + " }}", Map.of("p", value));
    }

    private static TemplateParameterException parameterError(String template, Map<String, String> params) {
        PipeTemplate parsed = PipeTemplate.parse(template);
        return assertThrows(TemplateParameterException.class, () -> parsed.render(params), template);
    }

    private static TemplateSyntaxException syntaxError(String template) {
        return assertThrows(TemplateSyntaxException.class, () -> PipeTemplate.parse(template), template);
    }

    // --- type functions ---

    @Test
    void typeFunctionsRenderValidatedValues() {
        String[][] cases = {
            {"String(p)", "abc", "'abc'"},
            {"Int8(p)", "-128", "toInt8(-128)"},
            {"Int16(p)", "32767", "toInt16(32767)"},
            {"Int32(p)", "5", "toInt32(5)"},
            {"Int64(p)", "-9223372036854775808", "toInt64(-9223372036854775808)"},
            {"Int128(p)", "-12", "toInt128(-12)"},
            {"Int256(p)", "1", "toInt256(1)"},
            {"UInt8(p)", "255", "toUInt8(255)"},
            {"UInt16(p)", "65535", "toUInt16(65535)"},
            {"UInt32(p)", "4294967295", "toUInt32(4294967295)"},
            {"UInt64(p)", "18446744073709551615", "toUInt64(18446744073709551615)"},
            {"UInt128(p)", "0", "toUInt128(0)"},
            {"UInt256(p)", "7", "toUInt256(7)"},
            {"Int(p)", "42", "42"},
            {"Integer(p)", "-7", "(-7)"},
            {"Float32(p)", "1.5", "toFloat32(1.5)"},
            {"Float64(p)", "-2.5e3", "toFloat64(-2500.0)"},
            {"Float64(p)", "3", "toFloat64(3.0)"},
            {"Boolean(p)", "TRUE", "1"},
            {"Boolean(p)", "false", "0"},
            {"Boolean(p)", "1", "1"},
            {"Boolean(p)", "0", "0"},
            {"DateTime(p)", "2024-02-29 13:45:00", "'2024-02-29 13:45:00'"},
            {"DateTime(p)", "2024-02-29T13:45:00", "'2024-02-29 13:45:00'"},
            {"DateTime64(p)", "2024-01-02 03:04:05.123", "'2024-01-02 03:04:05.123'"},
            {"DateTime64(p)", "2024-01-02T03:04:05.000001", "'2024-01-02 03:04:05.000001'"},
            {"DateTime64(p)", "2024-01-02 03:04:05", "'2024-01-02 03:04:05'"},
            {"Date(p)", "2024-01-31", "'2024-01-31'"},
        };
        assertAll(Arrays.stream(cases).map(c -> (Executable) () -> assertEquals(c[2], renderValue(c[0], c[1]), c[0])));
    }

    @Test
    void integersBeyondSixtyFourBitsAreQuotedSoClickHouseDoesNotReadThemAsFloat() {
        assertEquals("toInt128('170141183460469231731687303715884105727')",
                renderValue("Int128(p)", "170141183460469231731687303715884105727"));
        assertEquals("toUInt128('18446744073709551616')", renderValue("UInt128(p)", "18446744073709551616"));
        assertEquals("toInt256('-9223372036854775809')", renderValue("Int256(p)", "-9223372036854775809"));
    }

    @Test
    void negativeBareIntegersCannotFormAComment() {
        assertEquals("SELECT 1 -(-5)", render("SELECT 1 -{{ Int(p) }}", Map.of("p", "-5")));
        assertEquals("SELECT 1 -toInt32(-5)", render("SELECT 1 -{{ Int32(p) }}", Map.of("p", "-5")));
    }

    @Test
    void typeFunctionsRenderTheirDefaultWhenNotPassed() {
        String[][] cases = {
            {"String(p, 'fallback')", "'fallback'"},
            {"Int32(p, 100)", "toInt32(100)"},
            {"Int(p, -1)", "(-1)"},
            {"UInt8(p, default=7, description='doc', required=False, example='3')", "toUInt8(7)"},
            {"Float64(p, 1.5)", "toFloat64(1.5)"},
            {"Boolean(p, True)", "1"},
            {"DateTime(p, default='2024-01-01 00:00:00')", "'2024-01-01 00:00:00'"},
            {"DateTime64(p, '1970-01-01 00:00:00.000')", "'1970-01-01 00:00:00.000'"},
            {"Date(p, '2024-01-01')", "'2024-01-01'"},
        };
        assertAll(Arrays.stream(cases).map(c -> (Executable) () -> assertEquals(c[1], render("{{ " + c[0] + " }}"), c[0])));
    }

    @Test
    void passedValueWinsOverDefault() {
        assertEquals("toInt32(3)", render("{{ Int32(limit, 100) }}", Map.of("limit", "3")));
    }

    @Test
    void missingRequiredParameterNamesIt() {
        assertEquals("Required parameter is not defined: user_id",
                parameterError("SELECT {{ String(user_id) }}", Map.of()).getMessage());
        assertEquals("Required parameter is not defined: ids", parameterError("{{ Array(ids, 'Int32') }}", Map.of()).getMessage());
        assertEquals("Required parameter is not defined: sort", parameterError("{{ column(sort) }}", Map.of()).getMessage());
        assertEquals("Required parameter is not defined: p", parameterError("{{ String(p, None) }}", Map.of()).getMessage());
    }

    @Test
    void invalidValuesAreRejected() {
        String[][] cases = {
            {"Int32(p)", "12x"},
            {"Int32(p)", "99999999999"},
            {"Int32(p)", ""},
            {"Int32(p)", " 5"},
            {"Int32(p)", "1.0"},
            {"Int32(p)", "\u0663"}, // ARABIC-INDIC DIGIT THREE: Java would parse it, ClickHouse would not
            {"Int8(p)", "128"},
            {"UInt8(p)", "-1"},
            {"UInt8(p)", "256"},
            {"UInt64(p)", "18446744073709551616"},
            {"Int(p)", "9223372036854775808"},
            {"Float64(p)", "NaN"},
            {"Float64(p)", "Infinity"},
            {"Float64(p)", "1e400"},
            {"Float64(p)", "0x10"},
            {"Float64(p)", "1.5d"},
            {"Float32(p)", "1e39"},
            {"Boolean(p)", "maybe"},
            {"Boolean(p)", ""},
            {"DateTime(p)", "2024-13-01 00:00:00"},
            {"DateTime(p)", "2023-02-29 00:00:00"},
            {"DateTime(p)", "2024-01-01 24:00:00"},
            {"DateTime(p)", "2024-01-01"},
            {"DateTime(p)", "2024-01-01 00:00:00.123"},
            {"DateTime(p)", "2024-01-01 00:00:00' OR 1=1 --"},
            {"DateTime64(p)", "2024-01-01 00:00:00.1234567"},
            {"Date(p)", "2024-02-30"},
            {"Date(p)", "2024-1-5"},
        };
        assertAll(Arrays.stream(cases).map(c -> (Executable) () -> assertThrows(
                TemplateParameterException.class, () -> renderValue(c[0], c[1]), c[0] + " with '" + c[1] + "'")));
    }

    @Test
    void validationErrorNamesValueAndType() {
        assertEquals("Error validating '12x' to type Int32", parameterError("{{ Int32(p) }}", Map.of("p", "12x")).getMessage());
        assertEquals("Error validating '-1' to type UInt8", parameterError("{{ UInt8(p) }}", Map.of("p", "-1")).getMessage());
    }

    @Test
    void validationErrorEchoesAtMostOneHundredCharacters() {
        String message = parameterError("{{ Int32(p) }}", Map.of("p", "9".repeat(5000))).getMessage();
        assertEquals("Error validating '" + "9".repeat(100) + "...' to type Int32", message);
    }

    // --- escaping and injection ---

    @Test
    void stringValuesCannotCloseTheQuote() {
        String[][] cases = {
            {"'", "'\\''"},
            {"\\", "'\\\\'"},
            {"\\'", "'\\\\\\''"},
            {"''", "'\\'\\''"},
            {"--", "'--'"},
            {"x'; DROP TABLE x; --", "'x\\'; DROP TABLE x; --'"},
            {"; DROP TABLE x", "'; DROP TABLE x'"},
            {"a\nb", "'a\\nb'"},
            {"a\r\n\tb\0", "'a\\r\\n\\tb\\0'"},
            {"\"`%", "'\"`%'"},
            {"é😀\u2028", "'é😀\u2028'"},
            {"{{ String(other) }}", "'{{ String(other) }}'"},
            {"{% if x %}", "'{% if x %}'"},
        };
        assertAll(Arrays.stream(cases).map(c -> (Executable) () -> assertEquals(c[1], renderValue("String(p)", c[0]), c[0])));
    }

    @Test
    void renderedStringLiteralsReadBackAsTheOriginalValue() {
        char[] alphabet = {'\'', '\\', '"', '`', '\n', '\r', '\t', '\0', 'x', 'n', '0', '{', '}', '%', ';', '-', ' ',
            'é', '\u2028', '\uD83D', '\uDE00'};
        Random random = new Random(42);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                value.append(alphabet[random.nextInt(alphabet.length)]);
            }
            values.add(value.toString());
        }
        PipeTemplate template = PipeTemplate.parse("SELECT {{ String(p) }}");
        for (String value : values) {
            String sql = template.render(Map.of("p", value));
            assertTrue(sql.startsWith("SELECT "), sql);
            assertEquals(value, readClickHouseStringLiteral(sql.substring("SELECT ".length())), sql);
        }
    }

    /** ClickHouse's reading of a quoted literal; fails if the quote closes before the end of the text. */
    private static String readClickHouseStringLiteral(String sql) {
        assertEquals('\'', sql.charAt(0), sql);
        StringBuilder value = new StringBuilder();
        int i = 1;
        while (true) {
            char c = sql.charAt(i++);
            if (c == '\'' && i < sql.length() && sql.charAt(i) == '\'') {
                value.append('\''); // ClickHouse also reads a doubled quote as one quote
                i++;
            } else if (c == '\'') {
                assertEquals(sql.length(), i, "literal closed early: " + sql);
                return value.toString();
            } else if (c == '\\') {
                char escaped = sql.charAt(i++);
                switch (escaped) {
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case '0' -> value.append('\0');
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'a' -> value.append('\u0007');
                    case 'v' -> value.append('\u000B');
                    case 'x' -> {
                        value.append((char) Integer.parseInt(sql.substring(i, i + 2), 16));
                        i += 2;
                    }
                    default -> value.append(escaped);
                }
            } else {
                value.append(c);
            }
        }
    }

    @Test
    void valuesAreNeverRenderedAsTemplate() {
        assertEquals("SELECT '{{ String(secret) }}', '{% end %}'",
                render("SELECT {{ String(a) }}, {{ String(b) }}", Map.of("a", "{{ String(secret) }}", "b", "{% end %}")));
    }

    // --- if / elif / else ---

    @Test
    void ifElifElseChoosesOneBranch() {
        PipeTemplate template = PipeTemplate.parse("""
                SELECT {% if granularity == 'day' %}toDate(ts){% elif granularity == 'hour' %}toStartOfHour(ts)\
                {% else %}ts{% end %} FROM events""");
        assertEquals("SELECT toDate(ts) FROM events", template.render(Map.of("granularity", "day")));
        assertEquals("SELECT toStartOfHour(ts) FROM events", template.render(Map.of("granularity", "hour")));
        assertEquals("SELECT ts FROM events", template.render(Map.of("granularity", "week")));
        assertEquals("SELECT ts FROM events", template.render(Map.of()));
    }

    @Test
    void ifBlocksNest() {
        PipeTemplate template = PipeTemplate.parse("""
                WHERE 1
                {% if defined(country) %}
                  AND country = {{ String(country) }}
                  {% if defined(city) %}AND city = {{ String(city) }}{% else %}AND city != ''{% end %}
                {% end %}""");
        assertEquals("WHERE 1\n", template.render(Map.of("city", "Paris")));
        assertEquals("WHERE 1\n\n  AND country = 'FR'\n  AND city != ''\n", template.render(Map.of("country", "FR")));
        assertEquals("WHERE 1\n\n  AND country = 'FR'\n  AND city = 'Paris'\n",
                template.render(Map.of("country", "FR", "city", "Paris")));
    }

    @Test
    void requiredParameterInAFalseBranchIsNotEvaluated() {
        assertEquals("SELECT 1", render("SELECT 1{% if False %}, {{ String(never_passed) }}{% end %}"));
        assertEquals("x", render("{% if defined(n) and Int32(n) > 5 %}big{% else %}x{% end %}"));
        assertEquals("y", render("{% if not defined(n) or Int32(n) > 5 %}y{% end %}"));
    }

    @Test
    void typeFunctionsInConditionsCompareTypedValues() {
        PipeTemplate template = PipeTemplate.parse("{% if Int32(limit, 10) > 100 %}big{% else %}small{% end %}");
        assertEquals("small", template.render(Map.of()));
        assertEquals("big", template.render(Map.of("limit", "500")));
        // Numerically, not as text: "9" > "100" as strings.
        assertEquals("small", template.render(Map.of("limit", "9")));
        assertEquals("yes", render("{% if Float64(f) >= 1 %}yes{% end %}", Map.of("f", "1.0")));
        assertEquals("yes", render("{% if DateTime(a) < DateTime(b) %}yes{% end %}",
                Map.of("a", "2024-01-01 00:00:00", "b", "2024-01-01T00:00:01")));
        assertEquals("yes", render("{% if Boolean(flag, False) == True %}yes{% end %}", Map.of("flag", "1")));
        assertEquals("yes", render("{% if (x == 'a' or x == 'b') and not x != 'b' %}yes{% end %}", Map.of("x", "b")));
    }

    @Test
    void invalidValueInAConditionIsAParameterError() {
        parameterError("{% if Int32(limit, 10) > 100 %}big{% end %}", Map.of("limit", "lots"));
    }

    @Test
    void comparingIncompatibleTypesIsATemplateBug() {
        PipeTemplate template = PipeTemplate.parse("SELECT 1\n{% if limit > 10 %}big{% end %}");
        TemplateSyntaxException e = assertThrows(TemplateSyntaxException.class, () -> template.render(Map.of("limit", "5")));
        assertEquals(2, e.line());
        assertThrows(TemplateSyntaxException.class, () -> render("{% if x < 'a' %}{% end %}"));
    }

    @Test
    void truthinessFollowsPython() {
        String template = "{% if x %}T{% else %}F{% end %}";
        assertEquals("F", render(template));
        assertEquals("F", render(template, Map.of("x", "")));
        assertEquals("T", render(template, Map.of("x", "0"))); // a non-empty string, as in Python
        assertEquals("F", render("{% if Int32(x, 0) %}T{% else %}F{% end %}"));
        assertEquals("F", render("{% if Float64(x, 0.0) %}T{% else %}F{% end %}"));
        assertEquals("T", render("{% if Int32(x, -3) %}T{% else %}F{% end %}"));
        assertEquals("F", render("{% if Boolean(x, 'false') %}T{% else %}F{% end %}"));
        assertEquals("F", render("{% if None %}T{% else %}F{% end %}"));
        assertEquals("F", render("{% if Array(x, 'Int32', '') %}T{% else %}F{% end %}"));
    }

    // --- defined, column, error ---

    @Test
    void definedIsTrueWhenPassedEvenIfEmpty() {
        String template = "{% if defined(q) %}yes{% else %}no{% end %}";
        assertEquals("yes", render(template, Map.of("q", "")));
        assertEquals("yes", render(template, Map.of("q", "x")));
        assertEquals("no", render(template, Map.of()));
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("q", null);
        assertEquals("no", render(template, nullValue));
    }

    @Test
    void columnRendersAValidatedIdentifier() {
        assertEquals("ORDER BY `timestamp`", render("ORDER BY {{ column(sort, 'timestamp') }}"));
        assertEquals("ORDER BY `event_name`", render("ORDER BY {{ column(sort, 'timestamp') }}", Map.of("sort", "event_name")));
        for (String injection : List.of("a`; DROP TABLE x; --", "a b", "1abc", "", "ts`", "x'")) {
            parameterError("ORDER BY {{ column(sort, 'timestamp') }}", Map.of("sort", injection));
        }
    }

    @Test
    void errorRaisesWhenEvaluated() {
        String template = "{% if not defined(x) %}{{ error('x is required', 400) }}{% end %}SELECT {{ Int32(x) }}";
        assertEquals("x is required", parameterError(template, Map.of()).getMessage());
        assertEquals("SELECT toInt32(1)", render(template, Map.of("x", "1")));
        assertEquals("nope", parameterError("{% if error('nope') %}{% end %}", Map.of()).getMessage());
    }

    // --- Array ---

    @Test
    void arraysValidateEveryElement() {
        assertEquals("[toInt32(1),toInt32(-2),toInt32(3)]", render("{{ Array(ids, 'Int32') }}", Map.of("ids", "1,-2,3")));
        assertEquals("[toInt32(1),toInt32(2)]", render("{{ Array(ids, 'Int32', default='1,2') }}"));
        assertEquals("[toUInt8(7)]", render("{{ Array(ids, type='UInt8', default='7') }}"));
        assertEquals("['a','b\\'c','']", render("{{ Array(tags) }}", Map.of("tags", "a,b'c,")));
        assertEquals("['x']", render("{{ Array(tags, 'String', 'x') }}"));
        assertEquals("[]", render("{{ Array(ids, 'Int32') }}", Map.of("ids", "")));
        assertEquals("Error validating 'x' to type Int32",
                parameterError("{{ Array(ids, 'Int32') }}", Map.of("ids", "1,x")).getMessage());
        parameterError("{{ Array(ids, 'Int32') }}", Map.of("ids", "1,,2"));
    }

    // --- syntax errors ---

    @Test
    void syntaxErrorsReportTheLine() {
        assertEquals(2, syntaxError("SELECT 1\n{{ foo(x) }}").line());
        assertEquals(3, syntaxError("SELECT 1\nFROM t\n{% for x in y %}{% end %}").line());
        assertEquals(2, syntaxError("SELECT 1\nWHERE a = {{ String(a)\n").line());
        assertEquals(2, syntaxError("SELECT 1\n{% if x %}\nWHERE 1\n").line());
        assertEquals(4, syntaxError("{% if x %}\n{% end %}\n\n{% end %}").line());
        assertEquals(3, syntaxError("{# a comment\nover two lines #}\n{% set x = 1 %}").line());
        assertEquals(1, syntaxError("{% else %}").line());
        assertEquals(1, syntaxError("SELECT {# unterminated").line());
    }

    @Test
    void unsupportedTemplateFeaturesAreSyntaxErrors() {
        List<String> templates = List.of(
                "{% for x in xs %}{% end %}",
                "{% set x = 1 %}",
                "{% import os %}",
                "{% raw %}",
                "{% %}",
                "{% if x %}{% else %}{% elif y %}{% end %}",
                "{% if x %}{% else %}{% else %}{% end %}",
                "{% if x %}{% end if %}",
                "{% if x %}{% else y %}{% end %}",
                "{% if x in y %}{% end %}",
                "{% if a == b == c %}{% end %}",
                "{% if %}{% end %}",
                "{{ }}",
                "{{ String(x, 'unterminated) }}",
                "{{ String(x, 'bad \\q escape') }}",
                "{{ String(x) + 1 }}",
                "{{ unknown(x) }}",
                "{{ String('x') }}",
                "{{ String(x, foo=1) }}",
                "{{ String(x, 'a', 'b') }}",
                "{{ String(x, 'a', default='b') }}",
                "{{ String(x, default=y) }}",
                "{{ String(x, default='a', default='b') }}",
                "{{ String(x, default='a', 'b') }}",
                "{{ Int32(limit, 'abc') }}",
                "{{ UInt8(limit, -1) }}",
                "{{ DateTime(t, '2024-13-01 00:00:00') }}",
                "{{ Array(ids, 'Nope') }}",
                "{{ Array(ids, 'Int32', '1,x') }}",
                "{{ column(sort, 'bad name') }}",
                "{{ error(x) }}",
                "{{ defined(x, y) }}");
        assertAll(templates.stream().map(t -> (Executable) () -> syntaxError(t)));
    }

    @Test
    void onlyTypedValuesCanBePrinted() {
        for (String template : List.of("{{ x }}", "{{ 'literal' }}", "{{ 5 }}", "{{ defined(x) }}", "{{ not x }}", "{{ (x) }}")) {
            TemplateSyntaxException e = syntaxError("SELECT\n" + template);
            assertEquals(2, e.line());
            assertTrue(e.getMessage().contains("type function"), e.getMessage());
        }
    }

    // --- the rest ---

    @Test
    void textCommentsAndSqlBracesPassThrough() {
        assertEquals("SELECT map('a', 1), {x:String} FROM t ",
                render("SELECT map('a', 1), {x:String} FROM t {# explain the query #}"));
        assertEquals("SELECT '}}' ", render("SELECT '}}' {# } #}"));
    }

    @Test
    void parameterNamesListsEveryReferenceInOrder() {
        PipeTemplate template = PipeTemplate.parse("""
                SELECT {{ String(a) }}
                {% if defined(b) and c == 'x' %}ORDER BY {{ column(d, 'ts') }}{% end %}
                {% if Array(e, 'Int32', '') %}{{ String(a) }}{% end %}""");
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(template.parameterNames()));
    }
}
