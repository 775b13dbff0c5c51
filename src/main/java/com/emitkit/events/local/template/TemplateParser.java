package com.emitkit.events.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a template into text, {@code {{ }}} and {@code {% %}} segments ({@code {# #}} comments are dropped) and
 * nests the {@code if} blocks. As in Tornado, a tag ends at the first closing delimiter, even inside a string.
 */
final class TemplateParser {
    private enum Kind { TEXT, OUTPUT, TAG }

    private record Segment(Kind kind, String content, int line) {
        /** The first word of a tag, e.g. "if". */
        String keyword() {
            return content.split("\\s+", 2)[0];
        }

        /** What follows the keyword, e.g. the condition of an if. */
        String argument() {
            String[] parts = content.split("\\s+", 2);
            return parts.length == 2 ? parts[1] : "";
        }
    }

    private final List<Segment> segments;
    private final Set<String> parameterNames;
    private int next;

    private TemplateParser(List<Segment> segments, Set<String> parameterNames) {
        this.segments = segments;
        this.parameterNames = parameterNames;
    }

    /** Parses the template, adding every parameter it names to {@code parameterNames}. */
    static List<Node> parse(String source, Set<String> parameterNames) {
        TemplateParser parser = new TemplateParser(split(source), parameterNames);
        List<Node> nodes = parser.body();
        if (parser.next < parser.segments.size()) {
            Segment stray = parser.segments.get(parser.next);
            throw new TemplateSyntaxException(stray.line(), "{% " + stray.keyword() + " %} without a matching {% if %}");
        }
        return nodes;
    }

    /** Nodes up to the end of the template or the next elif/else/end tag, which is left for the caller. */
    private List<Node> body() {
        List<Node> nodes = new ArrayList<>();
        while (next < segments.size()) {
            Segment segment = segments.get(next);
            switch (segment.kind()) {
                case TEXT -> nodes.add(new Node.Text(segment.content()));
                case OUTPUT -> nodes.add(new Node.Print(output(segment)));
                case TAG -> {
                    switch (segment.keyword()) {
                        case "if" -> {
                            next++;
                            nodes.add(ifBlock(segment));
                            continue;
                        }
                        case "elif", "else", "end" -> {
                            return nodes;
                        }
                        default -> throw new TemplateSyntaxException(segment.line(),
                                "unsupported tag {% " + segment.keyword() + " %}; only if, elif, else and end are allowed");
                    }
                }
            }
            next++;
        }
        return nodes;
    }

    private Node ifBlock(Segment ifTag) {
        List<Node.Branch> branches = new ArrayList<>();
        branches.add(new Node.Branch(condition(ifTag), body()));
        List<Node> otherwise = null;
        while (true) {
            if (next == segments.size()) {
                throw new TemplateSyntaxException(ifTag.line(), "{% if %} without a matching {% end %}");
            }
            Segment tag = segments.get(next++);
            switch (tag.keyword()) {
                case "elif" -> {
                    if (otherwise != null) {
                        throw new TemplateSyntaxException(tag.line(), "{% elif %} after {% else %}");
                    }
                    branches.add(new Node.Branch(condition(tag), body()));
                }
                case "else" -> {
                    if (otherwise != null) {
                        throw new TemplateSyntaxException(tag.line(), "second {% else %} in one {% if %}");
                    }
                    requireNoArgument(tag);
                    otherwise = body();
                }
                default -> {
                    requireNoArgument(tag);
                    return new Node.If(branches, otherwise == null ? List.of() : otherwise);
                }
            }
        }
    }

    private Expr condition(Segment tag) {
        return ExpressionParser.parse(tag.argument(), tag.line(), parameterNames);
    }

    private Expr.Output output(Segment segment) {
        Expr expr = ExpressionParser.parse(segment.content(), segment.line(), parameterNames);
        if (!(expr instanceof Expr.Output output)) {
            throw new TemplateSyntaxException(segment.line(), "{{ " + segment.content() + " }} can only print a type "
                    + "function (e.g. String(name)), column() or error(); use a type function to validate the value");
        }
        return output;
    }

    private static void requireNoArgument(Segment tag) {
        if (!tag.argument().isEmpty()) {
            throw new TemplateSyntaxException(tag.line(), "{% " + tag.keyword() + " %} takes no expression");
        }
    }

    private static List<Segment> split(String source) {
        List<Segment> segments = new ArrayList<>();
        int line = 1;
        int textStart = 0;
        int i = 0;
        while (i < source.length() - 1) {
            char open = source.charAt(i + 1);
            if (source.charAt(i) != '{' || (open != '{' && open != '%' && open != '#')) {
                if (source.charAt(i) == '\n') {
                    line++;
                }
                i++;
                continue;
            }
            String close = open == '{' ? "}}" : open + "}";
            int end = source.indexOf(close, i + 2);
            if (end < 0) {
                throw new TemplateSyntaxException(line, "unterminated {" + open);
            }
            if (textStart < i) {
                segments.add(new Segment(Kind.TEXT, source.substring(textStart, i), line));
            }
            String content = source.substring(i + 2, end).strip();
            switch (open) {
                case '{' -> segments.add(new Segment(Kind.OUTPUT, content, line));
                case '%' -> {
                    if (content.isEmpty()) {
                        throw new TemplateSyntaxException(line, "empty {% %} tag");
                    }
                    segments.add(new Segment(Kind.TAG, content, line));
                }
                default -> { } // a {# comment #}
            }
            line += (int) source.substring(i, end).chars().filter(c -> c == '\n').count();
            i = end + 2;
            textStart = i;
        }
        if (textStart < source.length()) {
            segments.add(new Segment(Kind.TEXT, source.substring(textStart), line));
        }
        return segments;
    }
}
