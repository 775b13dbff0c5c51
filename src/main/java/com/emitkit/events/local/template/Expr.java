package com.emitkit.events.local.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A parsed expression. Evaluating it yields a Java value for {@code {% if %}}: null (None), Boolean, BigInteger,
 * Double, String, LocalDate, LocalDateTime or List. Only {@link Output} expressions may be written into the SQL.
 */
interface Expr {
    Object evaluate(Map<String, String> params);

    /** An expression that renders itself safely as SQL, so {@code {{ }}} may print it. */
    interface Output extends Expr {
        String toSql(Map<String, String> params);
    }

    record Literal(Object value) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            return value;
        }
    }

    /** A bare identifier: the raw request value, or None when the parameter was not passed. */
    record Param(String name) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            return params.get(name);
        }
    }

    record Not(Expr operand) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            return !truthy(operand.evaluate(params));
        }
    }

    record And(Expr left, Expr right) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            return truthy(left.evaluate(params)) && truthy(right.evaluate(params));
        }
    }

    record Or(Expr left, Expr right) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            return truthy(left.evaluate(params)) || truthy(right.evaluate(params));
        }
    }

    /**
     * Numbers compare numerically, other values only with values of the same Java type. None equals only None and
     * cannot be ordered. Anything else is a template bug, reported as a syntax error at render time.
     */
    record Compare(Expr left, String operator, Expr right, int line) implements Expr {
        @Override
        public Object evaluate(Map<String, String> params) {
            Object l = left.evaluate(params);
            Object r = right.evaluate(params);
            if ((l == null || r == null) && (operator.equals("==") || operator.equals("!="))) {
                return (l == r) == operator.equals("==");
            }
            int order = order(l, r);
            return switch (operator) {
                case "==" -> order == 0;
                case "!=" -> order != 0;
                case "<" -> order < 0;
                case "<=" -> order <= 0;
                case ">" -> order > 0;
                case ">=" -> order >= 0;
                default -> throw new IllegalArgumentException("not a comparison operator: " + operator);
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private int order(Object l, Object r) {
            if (l instanceof Number a && r instanceof Number b) {
                return decimal(a).compareTo(decimal(b));
            }
            if (l instanceof Comparable a && r != null && l.getClass() == r.getClass()) {
                return a.compareTo(r);
            }
            throw new TemplateSyntaxException(line, "cannot compare " + typeName(l) + " " + operator + " " + typeName(r)
                    + "; use the same type function on both sides, or defined() to test for absence");
        }

        private static BigDecimal decimal(Number n) {
            return n instanceof BigInteger i ? new BigDecimal(i) : new BigDecimal(n.doubleValue());
        }

        private static String typeName(Object value) {
            return value == null ? "None" : value.getClass().getSimpleName();
        }
    }

    /** Python truthiness, as Tinybird templates expect: None, False, zero and empty values are false. */
    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case BigInteger i -> i.signum() != 0;
            case Double d -> d != 0;
            case List<?> list -> !list.isEmpty();
            default -> true;
        };
    }
}
