package com.emitkit.events.local.template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A templated Tinybird pipe node (SQL whose first line is {@code %}), rendered as Tinybird's renderer does:
 * Tornado's template syntax over a sandboxed subset of Python, Tinybird's type functions and helpers, its
 * escaping of values and its error messages. A request value reaches the SQL only through Tinybird's escaping
 * (or as digits after a type function); where Tinybird itself would print a value raw, we refuse it.
 * Instances are immutable and thread-safe.
 */
public final class PipeTemplate {
    /** {@code tb_secret('name')} reads the environment variable of this prefix and the name, e.g. TB_SECRET_name. */
    public static final String SECRET_ENVIRONMENT_PREFIX = "TB_SECRET_";

    private static final Pattern ARRAY_TYPE = Pattern.compile("Array\\((\\w+)\\)", Pattern.UNICODE_CHARACTER_CLASS);

    private final List<Node> nodes;
    private final Analysis.Result analysis;

    private PipeTemplate(List<Node> nodes, Analysis.Result analysis) {
        this.nodes = nodes;
        this.analysis = analysis;
    }

    /**
     * Parses and checks once, as Tinybird does when a pipe is pushed: syntax, unknown functions and arguments,
     * the reserved names {@code format} and {@code q}, and literal defaults that fail their type.
     *
     * @param source the node SQL without its leading {@code %} line; error line numbers count from its first line
     * @throws TemplateSyntaxException naming the construct and its line
     */
    public static PipeTemplate parse(String source) {
        List<Node> nodes = TemplateParser.parse(source);
        return new PipeTemplate(nodes, Analysis.analyse(nodes));
    }

    /**
     * Renders plain ClickHouse SQL.
     *
     * @param params request parameters as received in the query string; a null value counts as not passed
     * @throws TemplateParameterException for what Tinybird answers with HTTP 400, worded as Tinybird words it
     * @throws TemplateCustomErrorException when the template calls {@code custom_error}
     */
    public String render(Map<String, String> params) {
        return render(params, name -> System.getenv(SECRET_ENVIRONMENT_PREFIX + name));
    }

    /** As {@link #render(Map)}, reading {@code tb_secret} values through {@code secrets} (null: no such secret). */
    String render(Map<String, String> params, UnaryOperator<String> secrets) {
        Objects.requireNonNull(params, "params");
        try {
            return new Interpreter(typedParameters(params), analysis.localNames(), secrets).render(nodes);
        } catch (PyException e) {
            throw httpError(e);
        }
    }

    /** Every request parameter the template refers to, in order of first appearance. */
    public Set<String> parameterNames() {
        return analysis.parameterNames();
    }

    /**
     * Tinybird's preprocess_variables: a parameter the template types as an Array reaches the template as the
     * Python list its Array() renders (so {@code sum(ids)} or {@code ','.join(tags)} work); a value that does not
     * convert stays the text it was.
     */
    private Map<String, Object> typedParameters(Map<String, String> params) {
        Map<String, Object> typed = new HashMap<>();
        params.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            Matcher array = ARRAY_TYPE.matcher(analysis.parameterTypes().getOrDefault(name, ""));
            typed.put(name, array.lookingAt() ? Functions.arrayValues(value, array.group(1)).orElse(value) : value);
        });
        return typed;
    }

    /** What Tinybird's render_sql_template and API make of an exception that the template did not catch. */
    private TemplateException httpError(PyException e) {
        String message = e.getMessage();
        return switch (e.type()) {
            case "SQLTemplateCustomError" -> {
                Object body = e.customBody();
                boolean json = body instanceof Map<?, ?> || body instanceof List<?>;
                // Tornado writes a dict as JSON, escaping "</" so that the body cannot close an HTML script tag.
                yield new TemplateCustomErrorException(e.customStatus(), json ? Json.dumps(body).replace("</", "<\\/") : Py.str(body), json);
            }
            case "SQLTemplateException" -> new TemplateParameterException(requiredParameters(message), e.documentation());
            case "UnboundLocalError", "NameError" -> syntax(message, null);
            case "AttributeError" -> message.contains("'str' object has no attribute 'get'")
                    ? syntax("'str' object has no attribute 'get'. Make sure you're using an object/dictionary where trying to use .get()",
                            Functions.DOCUMENTATION)
                    : syntax(message, Functions.DOCUMENTATION);
            case "IndexError" -> message.contains("string index out of range")
                    ? syntax("String index out of range. Check that string parameters have values before accessing specific "
                            + "characters (e.g., param[0]). Provide default values or add length checks in your template.",
                            Functions.DOCUMENTATION)
                    : syntax(message, Functions.DOCUMENTATION);
            case "TypeError" -> {
                if (message.contains("missing 1 required positional argument")) {
                    yield syntax("one of the transform type functions is missing an argument",
                            Functions.DOCUMENTATION + "#transform-types-functions");
                }
                if (message.contains("not callable") || message.contains("unhashable type")) {
                    yield syntax("wrong syntax, you might be using a not valid function inside a control block",
                            Functions.DOCUMENTATION);
                }
                yield new TemplateParameterException(message, null);
            }
            default -> new TemplateParameterException(message, null);
        };
    }

    private static TemplateParameterException syntax(String message, String documentation) {
        return new TemplateParameterException("Template Syntax Error: " + message, documentation);
    }

    /** Tinybird names every parameter without a default when one of them is missing. */
    private String requiredParameters(String message) {
        List<String> names = analysis.parametersWithoutDefault();
        if (!message.contains(Functions.REQUIRED_PARAM_NOT_DEFINED) || names.isEmpty()) {
            return message;
        }
        String list = names.size() == 1 ? names.getFirst()
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
        return "Template Syntax Error: " + Functions.REQUIRED_PARAM_NOT_DEFINED + ". Check the parameters " + list
                + ". Please provide a value or set a default value in the pipe code.";
    }
}
