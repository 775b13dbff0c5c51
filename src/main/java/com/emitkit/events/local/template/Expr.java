package com.emitkit.events.local.template;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed Python expression, shaped like Python's own {@code ast} nodes so that the parameter analysis can walk
 * it in the order Tinybird's does.
 */
sealed interface Expr {
    /** The direct sub-nodes in the order of Python's {@code ast.iter_child_nodes}. */
    default List<Expr> children() {
        return List.of();
    }

    record Const(Object value) implements Expr {
    }

    record Name(String id) implements Expr {
    }

    record Attribute(Expr value, String attr) implements Expr {
        @Override
        public List<Expr> children() {
            return List.of(value);
        }
    }

    record Subscript(Expr value, Expr index) implements Expr {
        @Override
        public List<Expr> children() {
            return List.of(value, index);
        }
    }

    /** {@code lower:upper:step} inside a subscript; absent bounds are null. */
    record Slice(Expr lower, Expr upper, Expr step) implements Expr {
        @Override
        public List<Expr> children() {
            List<Expr> parts = new ArrayList<>();
            for (Expr part : new Expr[] {lower, upper, step}) {
                if (part != null) {
                    parts.add(part);
                }
            }
            return parts;
        }
    }

    record Keyword(String name, Expr value) implements Expr {
        @Override
        public List<Expr> children() {
            return List.of(value);
        }
    }

    record Call(Expr func, List<Expr> args, List<Keyword> keywords) implements Expr {
        @Override
        public List<Expr> children() {
            List<Expr> all = new ArrayList<>();
            all.add(func);
            all.addAll(args);
            all.addAll(keywords);
            return all;
        }
    }

    /** {@code not x}, {@code -x}, {@code +x}. */
    record Unary(String op, Expr operand) implements Expr {
        @Override
        public List<Expr> children() {
            return List.of(operand);
        }
    }

    record Binary(Expr left, String op, Expr right) implements Expr {
        @Override
        public List<Expr> children() {
            return List.of(left, right);
        }
    }

    /** {@code and} / {@code or} over two or more operands. */
    record BoolOp(String op, List<Expr> values) implements Expr {
        @Override
        public List<Expr> children() {
            return values;
        }
    }

    /** A comparison chain such as {@code 1 < x <= 10}. */
    record Compare(Expr left, List<String> ops, List<Expr> comparators) implements Expr {
        @Override
        public List<Expr> children() {
            List<Expr> all = new ArrayList<>();
            all.add(left);
            all.addAll(comparators);
            return all;
        }
    }

    record IfExp(Expr test, Expr body, Expr orelse) implements Expr {
        @Override
        public List<Expr> children() {
            return List.of(test, body, orelse);
        }
    }

    record ListExpr(List<Expr> elts) implements Expr {
        @Override
        public List<Expr> children() {
            return elts;
        }
    }

    record TupleExpr(List<Expr> elts) implements Expr {
        @Override
        public List<Expr> children() {
            return elts;
        }
    }

    record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {
        @Override
        public List<Expr> children() {
            List<Expr> all = new ArrayList<>(keys);
            all.addAll(values);
            return all;
        }
    }
}
