package com.emitkit.events.local.template;

import java.util.List;
import java.util.Map;

/** A piece of a parsed template. */
interface Node {
    void render(Map<String, String> params, StringBuilder out);

    static void renderAll(List<Node> nodes, Map<String, String> params, StringBuilder out) {
        for (Node node : nodes) {
            node.render(params, out);
        }
    }

    /** SQL copied verbatim. */
    record Text(String sql) implements Node {
        @Override
        public void render(Map<String, String> params, StringBuilder out) {
            out.append(sql);
        }
    }

    /** {@code {{ expr }}}. */
    record Print(Expr.Output expr) implements Node {
        @Override
        public void render(Map<String, String> params, StringBuilder out) {
            out.append(expr.toSql(params));
        }
    }

    record Branch(Expr condition, List<Node> body) {
    }

    /** {@code {% if %}...{% elif %}...{% else %}...{% end %}}; only the chosen branch is evaluated. */
    record If(List<Branch> branches, List<Node> otherwise) implements Node {
        @Override
        public void render(Map<String, String> params, StringBuilder out) {
            for (Branch branch : branches) {
                if (Expr.truthy(branch.condition().evaluate(params))) {
                    renderAll(branch.body(), params, out);
                    return;
                }
            }
            renderAll(otherwise, params, out);
        }
    }
}
