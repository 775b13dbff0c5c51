package com.emitkit.events.local.template;

import java.util.List;

/** A piece of a parsed template: text, an output, or a control block of Tornado's template language. */
sealed interface Node {
    /** SQL copied verbatim. */
    record Text(String sql) implements Node {
    }

    /** {@code {{ expr }}}; {@code source} is the expression as written, which Tinybird quotes in some errors. */
    record Output(Expr expr, String source, int line) implements Node {
    }

    record Branch(Expr condition, List<Node> body, int line) {
    }

    /** {@code {% if %}...{% elif %}...{% else %}...{% end %}}; only the chosen branch is evaluated. */
    record If(List<Branch> branches, List<Node> otherwise) implements Node {
    }

    /** {@code {% for target in iterable %}...{% else %}...{% end %}}. */
    record For(Expr target, Expr iterable, List<Node> body, List<Node> otherwise, int line) implements Node {
    }

    /** {@code {% while condition %}...{% end %}}, bounded so that a template cannot loop for ever. */
    record While(Expr condition, List<Node> body, List<Node> otherwise, int line) implements Node {
    }

    record Handler(Expr type, String name, List<Node> body, int line) {
    }

    /** {@code {% try %}...{% except %}...{% else %}...{% finally %}...{% end %}}. */
    record Try(List<Node> body, List<Handler> handlers, List<Node> otherwise, List<Node> cleanup) implements Node {
    }

    /** {@code {% set target = value %}} or an augmented form such as {@code +=}. */
    record Set(Expr target, String operator, Expr value, int line) implements Node {
    }

    record Break() implements Node {
    }

    record Continue() implements Node {
    }
}
