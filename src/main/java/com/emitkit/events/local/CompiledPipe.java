package com.emitkit.events.local;

import com.emitkit.events.local.datafile.DatafileException;
import com.emitkit.events.local.datafile.Pipe;
import com.emitkit.events.local.template.PipeTemplate;
import com.emitkit.events.local.template.TemplateSyntaxException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pipe whose node templates were parsed at start-up. Rendering turns the earlier nodes into CTEs
 * named after them, so the last node can select from them as Tinybird allows.
 */
final class CompiledPipe {

    private static final Pattern LEADING_WITH = Pattern.compile("(?is)^WITH\\s.*");
    // Tinybird's own request parameters (its RESERVED_PARAM_NAMES and the API's format and q): a pipe
    // parameter of one of these names would not reach the template on Tinybird.
    private static final Set<String> RESERVED_PARAMETER_NAMES = Set.of("__tb__semver", "debug_source_tables", "debug",
            "explain", "finalize_aggregations", "format", "job_timestamp", "output_format_json_quote_64bit_integers",
            "output_format_json_quote_denormals", "output_format_parquet_string_as_string", "pipeline", "playground", "q",
            "query_id", "release_replacements", "tag", "template_parameters", "token");

    private final Pipe pipe;
    private final List<CompiledNode> nodes;

    private record CompiledNode(String name, PipeTemplate template, String plainSql) {

        String render(Map<String, String> params) {
            return (template == null ? plainSql : template.render(params)).strip();
        }
    }

    CompiledPipe(Pipe pipe) {
        this.pipe = pipe;
        List<CompiledNode> compiled = new ArrayList<>();
        for (Pipe.Node node : pipe.nodes()) {
            if (node.templated()) {
                PipeTemplate template;
                try {
                    template = PipeTemplate.parse(node.templateBody());
                } catch (TemplateSyntaxException e) {
                    // The template body starts on the line after "SQL >" and its "%" line.
                    throw new DatafileException(pipe.file(), node.line() + 1 + e.line(), e.getMessage());
                }
                template.parameterNames().stream().filter(RESERVED_PARAMETER_NAMES::contains).findFirst().ifPresent(name -> {
                    throw new DatafileException(pipe.file(), node.line(), "node " + node.name() + " uses the parameter name '"
                            + name + "', which Tinybird reserves for its own use; choose another name");
                });
                compiled.add(new CompiledNode(node.name(), template, null));
            } else {
                compiled.add(new CompiledNode(node.name(), null, node.sql()));
            }
        }
        this.nodes = List.copyOf(compiled);
    }

    Pipe pipe() {
        return pipe;
    }

    /** The SQL of the pipe's last node, with the earlier nodes as CTEs. */
    String render(Map<String, String> params) {
        List<String> ctes = new ArrayList<>();
        for (CompiledNode node : nodes.subList(0, nodes.size() - 1)) {
            ctes.add(ClickHouseDdl.quote(node.name()) + " AS (\n" + node.render(params) + "\n)");
        }
        return withCtes(ctes, nodes.getLast().render(params));
    }

    /** Prepends CTEs to a query, merging them into the query's own WITH list when it has one. */
    static String withCtes(List<String> ctes, String query) {
        if (ctes.isEmpty()) {
            return query;
        }
        String head = "WITH " + String.join(",\n", ctes);
        String body = query.strip();
        return LEADING_WITH.matcher(body).matches() ? head + ",\n" + body.substring(4).stripLeading() : head + "\n" + body;
    }
}
