package com.emitkit.events.local.template;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A templated Tinybird pipe node (SQL whose first line is {@code %}), restricted to the subset we use:
 * {@code {{ }}} printing type functions, {@code column()} or {@code error()}; {@code {% if/elif/else/end %}};
 * {@code {# #}} comments. Request values reach the SQL only after validation by a type function, so they can never
 * inject SQL. Instances are immutable and thread-safe.
 */
public final class PipeTemplate {
    private final List<Node> nodes;
    private final Set<String> parameterNames;

    private PipeTemplate(List<Node> nodes, Set<String> parameterNames) {
        this.nodes = nodes;
        this.parameterNames = parameterNames;
    }

    /**
     * Parses once; anything outside the subset throws {@link TemplateSyntaxException}.
     *
     * @param source the node SQL without its leading {@code %} line; error line numbers count from its first line
     */
    public static PipeTemplate parse(String source) {
        Set<String> names = new LinkedHashSet<>();
        List<Node> nodes = TemplateParser.parse(source, names);
        return new PipeTemplate(nodes, Collections.unmodifiableSet(names));
    }

    /**
     * Renders plain ClickHouse SQL.
     *
     * @param params request parameters as received in the query string; a null value counts as not passed
     * @throws TemplateParameterException when a required value is missing or a value is invalid (HTTP 400)
     * @throws TemplateSyntaxException when an {@code if} compares values of incompatible types
     */
    public String render(Map<String, String> params) {
        Objects.requireNonNull(params, "params");
        StringBuilder out = new StringBuilder();
        Node.renderAll(nodes, params, out);
        return out.toString();
    }

    /** Every parameter the template refers to, in order of first appearance. */
    public Set<String> parameterNames() {
        return parameterNames;
    }
}
