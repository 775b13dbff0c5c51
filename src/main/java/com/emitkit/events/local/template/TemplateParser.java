package com.emitkit.events.local.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tornado's template syntax as Tinybird uses it: text, {@code {{ expr }}}, {@code {# comment #}} and
 * {@code {% tag %}} blocks ({@code if/elif/else}, {@code for}, {@code while}, {@code try/except/finally},
 * {@code set}, {@code break}, {@code continue}, {@code comment}, {@code raw}), closed by {@code {% end %}}.
 * As in Tornado, a tag ends at its first closing delimiter, even inside a string, and {@code {{!} or
 * {@code {%!} writes the delimiter itself.
 */
final class TemplateParser {
    private static final Map<String, Set<String>> INTERMEDIATE_PARENTS = Map.of(
            "else", Set.of("if", "for", "while", "try"),
            "elif", Set.of("if"),
            "except", Set.of("try"),
            "finally", Set.of("try"));

    /** An {@code elif}, {@code else}, {@code except} or {@code finally} tag, split out of its block's body. */
    private record Intermediate(String operator, String argument, int line) {
    }

    private final String source;
    private int pos;
    private int line = 1;

    private TemplateParser(String source) {
        this.source = source;
    }

    static List<Node> parse(String source) {
        TemplateParser parser = new TemplateParser(source);
        List<Object> items = parser.body(null, null, 0);
        return nodes(items);
    }

    /** Items up to the {@code end} of {@code block} (or the end of the source at top level). */
    private List<Object> body(String block, String loop, int blockLine) {
        List<Object> items = new ArrayList<>();
        while (true) {
            int curly = nextTag();
            if (curly < 0) {
                if (block != null) {
                    throw new TemplateSyntaxException(blockLine, "Missing {% end %} block for " + block + " at line " + blockLine);
                }
                addText(items, source.substring(pos));
                pos = source.length();
                return items;
            }
            addText(items, consume(curly - pos));
            String open = consume(2);
            int tagLine = line;
            if (pos < source.length() && source.charAt(pos) == '!') {
                consume(1);
                addText(items, open);
                continue;
            }
            String close = switch (open) {
                case "{#" -> "#}";
                case "{{" -> "}}";
                default -> "%}";
            };
            int end = source.indexOf(close, pos);
            if (end < 0) {
                String what = switch (open) {
                    case "{#" -> "comment";
                    case "{{" -> "expression";
                    default -> "block";
                };
                throw new TemplateSyntaxException(tagLine, "Missing end " + what + " " + close);
            }
            String contents = consume(end - pos).strip();
            consume(2);
            if (open.equals("{#")) {
                continue;
            }
            if (open.equals("{{")) {
                if (contents.isEmpty()) {
                    throw new TemplateSyntaxException(tagLine, "Empty expression");
                }
                items.add(new Node.Output(ExpressionParser.parse(contents, tagLine), contents, tagLine));
                continue;
            }
            if (contents.isEmpty()) {
                throw new TemplateSyntaxException(tagLine, "Empty block tag ({% %})");
            }
            // Tornado splits the operator at the first space only.
            int space = contents.indexOf(' ');
            String operator = space < 0 ? contents : contents.substring(0, space);
            String argument = space < 0 ? "" : contents.substring(space + 1).strip();
            Set<String> parents = INTERMEDIATE_PARENTS.get(operator);
            if (parents != null) {
                if (block == null || !parents.contains(block)) {
                    throw new TemplateSyntaxException(tagLine, "{% " + operator + " %} outside "
                            + String.join("/", parents.stream().sorted().toList()) + " block");
                }
                items.add(new Intermediate(operator, argument, tagLine));
                continue;
            }
            switch (operator) {
                case "end" -> {
                    if (block == null) {
                        throw new TemplateSyntaxException(tagLine, "Extra {% end %} block");
                    }
                    return items;
                }
                case "comment" -> { }
                case "raw" -> {
                    if (argument.isEmpty()) {
                        throw new TemplateSyntaxException(tagLine, "Empty expression");
                    }
                    items.add(new Node.Output(ExpressionParser.parse(argument, tagLine), argument, tagLine));
                }
                case "set" -> {
                    if (argument.isEmpty()) {
                        throw new TemplateSyntaxException(tagLine, "set missing statement");
                    }
                    ExpressionParser.Assignment assignment = ExpressionParser.parseAssignment(argument, tagLine);
                    items.add(new Node.Set(assignment.target(), assignment.operator(), assignment.value(), tagLine));
                }
                case "break", "continue" -> {
                    if (loop == null) {
                        throw new TemplateSyntaxException(tagLine, operator + " outside for/while block");
                    }
                    items.add(operator.equals("break") ? new Node.Break() : new Node.Continue());
                }
                case "if", "for", "while", "try" -> {
                    List<Object> inner = body(operator, operator.equals("for") || operator.equals("while") ? operator : loop, tagLine);
                    items.add(block(operator, argument, tagLine, inner));
                }
                case "import", "from" -> throw new TemplateSyntaxException(tagLine, "import is forbidden");
                case "extends", "include", "module", "block", "apply", "autoescape", "whitespace" ->
                        throw new TemplateSyntaxException(tagLine, "{% " + operator + " %} is not supported");
                default -> throw new TemplateSyntaxException(tagLine, "unknown operator: '" + operator + "'");
            }
        }
    }

    private Node block(String operator, String argument, int tagLine, List<Object> inner) {
        List<List<Object>> sections = new ArrayList<>();
        List<Intermediate> heads = new ArrayList<>();
        heads.add(new Intermediate(operator, argument, tagLine));
        sections.add(new ArrayList<>());
        for (Object item : inner) {
            if (item instanceof Intermediate intermediate) {
                heads.add(intermediate);
                sections.add(new ArrayList<>());
            } else {
                sections.getLast().add(item);
            }
        }
        requireOrder(operator, heads);
        return switch (operator) {
            case "if" -> {
                List<Node.Branch> branches = new ArrayList<>();
                List<Node> otherwise = List.of();
                for (int i = 0; i < heads.size(); i++) {
                    Intermediate head = heads.get(i);
                    if (head.operator().equals("else")) {
                        otherwise = nodes(sections.get(i));
                    } else {
                        branches.add(new Node.Branch(condition(head), nodes(sections.get(i)), head.line()));
                    }
                }
                yield new Node.If(branches, otherwise);
            }
            case "for" -> {
                ExpressionParser.ForHeader header = ExpressionParser.parseFor(requireArgument(heads.getFirst()), tagLine);
                yield new Node.For(header.target(), header.iterable(), nodes(sections.getFirst()), elseSection(heads, sections), tagLine);
            }
            case "while" -> new Node.While(condition(heads.getFirst()), nodes(sections.getFirst()), elseSection(heads, sections), tagLine);
            default -> {
                List<Node.Handler> handlers = new ArrayList<>();
                List<Node> otherwise = List.of();
                List<Node> cleanup = List.of();
                for (int i = 1; i < heads.size(); i++) {
                    Intermediate head = heads.get(i);
                    switch (head.operator()) {
                        case "except" -> {
                            ExpressionParser.ExceptHeader header = ExpressionParser.parseExcept(head.argument(), head.line());
                            handlers.add(new Node.Handler(header.type(), header.name(), nodes(sections.get(i)), head.line()));
                        }
                        case "else" -> otherwise = nodes(sections.get(i));
                        default -> cleanup = nodes(sections.get(i));
                    }
                }
                yield new Node.Try(nodes(sections.getFirst()), handlers, otherwise, cleanup);
            }
        };
    }

    /** Python's own order: elif before else, except before else before finally, else only once. */
    private static void requireOrder(String operator, List<Intermediate> heads) {
        List<String> order = switch (operator) {
            case "if" -> List.of("if", "elif", "else");
            case "try" -> List.of("try", "except", "else", "finally");
            default -> List.of(operator, "else");
        };
        int rank = 0;
        for (Intermediate head : heads) {
            int current = order.indexOf(head.operator());
            boolean repeatable = head.operator().equals("elif") || head.operator().equals("except");
            if (current < rank || (current == rank && !repeatable && head != heads.getFirst())) {
                throw new TemplateSyntaxException(head.line(), "{% " + head.operator() + " %} is out of place in {% "
                        + operator + " %}");
            }
            rank = current;
            if (!head.operator().equals("if") && !head.operator().equals("elif") && !head.operator().equals("for")
                    && !head.operator().equals("while") && !head.operator().equals("except") && !head.argument().isEmpty()) {
                throw new TemplateSyntaxException(head.line(), "{% " + head.operator() + " %} takes no expression");
            }
        }
        if (operator.equals("try") && heads.stream().noneMatch(h -> h.operator().equals("except") || h.operator().equals("finally"))) {
            throw new TemplateSyntaxException(heads.getFirst().line(), "{% try %} needs an {% except %} or {% finally %}");
        }
        if (operator.equals("try") && heads.stream().anyMatch(h -> h.operator().equals("else"))
                && heads.stream().noneMatch(h -> h.operator().equals("except"))) {
            throw new TemplateSyntaxException(heads.getFirst().line(), "{% else %} in {% try %} needs an {% except %}");
        }
    }

    private static List<Node> elseSection(List<Intermediate> heads, List<List<Object>> sections) {
        return heads.size() > 1 ? nodes(sections.get(1)) : List.of();
    }

    private static Expr condition(Intermediate head) {
        return ExpressionParser.parse(requireArgument(head), head.line());
    }

    private static String requireArgument(Intermediate head) {
        if (head.argument().isEmpty()) {
            throw new TemplateSyntaxException(head.line(), "{% " + head.operator() + " %} needs an expression");
        }
        return head.argument();
    }

    private static List<Node> nodes(List<Object> items) {
        return items.stream().map(Node.class::cast).toList();
    }

    private static void addText(List<Object> items, String text) {
        if (!text.isEmpty()) {
            items.add(new Node.Text(text));
        }
    }

    /** Index of the next "{{", "{%" or "{#" from pos, or -1; of several curlies in a row the innermost pair counts. */
    private int nextTag() {
        int curly = pos;
        while (true) {
            curly = source.indexOf('{', curly);
            if (curly < 0 || curly + 1 == source.length()) {
                return -1;
            }
            char next = source.charAt(curly + 1);
            if (next != '{' && next != '%' && next != '#') {
                curly++;
                continue;
            }
            if (curly + 2 < source.length() && next == '{' && source.charAt(curly + 2) == '{') {
                curly++;
                continue;
            }
            return curly;
        }
    }

    private String consume(int count) {
        String text = source.substring(pos, pos + count);
        pos += count;
        line += (int) text.chars().filter(c -> c == '\n').count();
        return text;
    }
}
