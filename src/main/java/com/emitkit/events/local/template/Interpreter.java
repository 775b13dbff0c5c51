package com.emitkit.events.local.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Runs a parsed template for one request, with Python's semantics. Names resolve as in Tinybird's namespace:
 * variables the template assigns ({@code set}, {@code for}) are locals of the whole template, as in the Python
 * function Tornado generates; then Tinybird's fixed functions; then the request parameters; then {@code column},
 * {@code symbol}, {@code error} and {@code custom_error}; then Python's built-ins; any other name is None.
 */
final class Interpreter {
    // A {% while %} whose condition never turns false, or nested loops, must not hang a request thread.
    private static final int MAX_WHILE_ITERATIONS = 10_000;
    private static final int MAX_LOOP_ITERATIONS = 1_000_000;
    // ClickHouse refuses far smaller queries; this only keeps a runaway template from exhausting memory.
    private static final int MAX_SQL_CHARS = 16 * 1024 * 1024;

    private enum Flow { NORMAL, BREAK, CONTINUE }

    private final Map<String, Object> params;
    private final Set<String> localNames;
    private final Map<String, Object> locals = new HashMap<>();
    private final Py.Callable tbSecret;
    private final StringBuilder out = new StringBuilder();
    private int loopIterations;

    Interpreter(Map<String, Object> params, Set<String> localNames, UnaryOperator<String> secrets) {
        this.params = params;
        this.localNames = localNames;
        this.tbSecret = Functions.tbSecret(secrets);
    }

    String render(List<Node> nodes) {
        run(nodes);
        return out.toString();
    }

    private Flow run(List<Node> nodes) {
        for (Node node : nodes) {
            Flow flow = run(node);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow run(Node node) {
        switch (node) {
            case Node.Text text -> write(text.sql());
            case Node.Output output -> {
                Object value = evaluate(output.expr());
                String sql = print(value, output.source());
                // Tinybird prints Int(-5) as -5: after a '-' it would turn the rest of the line into a comment.
                if (Py.isNumber(value) && sql.startsWith("-") && !out.isEmpty() && out.charAt(out.length() - 1) == '-') {
                    throw PyException.template("{{ " + output.source() + " }} prints a negative number right after '-', "
                            + "which would make the rest of the line a SQL comment", Functions.DOCUMENTATION);
                }
                write(sql);
            }
            case Node.If block -> {
                for (Node.Branch branch : block.branches()) {
                    if (Py.truthy(evaluate(branch.condition()))) {
                        return run(branch.body());
                    }
                }
                return run(block.otherwise());
            }
            case Node.For loop -> {
                for (Object item : Py.iterate(evaluate(loop.iterable()))) {
                    countIteration();
                    assign(loop.target(), item);
                    if (run(loop.body()) == Flow.BREAK) {
                        return Flow.NORMAL;
                    }
                }
                return run(loop.otherwise());
            }
            case Node.While loop -> {
                int iterations = 0;
                while (Py.truthy(evaluate(loop.condition()))) {
                    if (++iterations > MAX_WHILE_ITERATIONS) {
                        throw PyException.template("{% while %} at line " + loop.line() + " ran more than "
                                + MAX_WHILE_ITERATIONS + " iterations", Functions.DOCUMENTATION);
                    }
                    countIteration();
                    if (run(loop.body()) == Flow.BREAK) {
                        return Flow.NORMAL;
                    }
                }
                return run(loop.otherwise());
            }
            case Node.Try block -> {
                return runTry(block);
            }
            case Node.Set set -> {
                Object value = evaluate(set.value());
                if (!set.operator().equals("=")) {
                    String name = ((Expr.Name) set.target()).id();
                    value = Py.binary(lookup(name), set.operator().substring(0, set.operator().length() - 1), value);
                }
                assign(set.target(), value);
            }
            case Node.Break b -> {
                return Flow.BREAK;
            }
            case Node.Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private void countIteration() {
        if (++loopIterations > MAX_LOOP_ITERATIONS) {
            throw PyException.template("the template ran more than " + MAX_LOOP_ITERATIONS + " loop iterations",
                    Functions.DOCUMENTATION);
        }
    }

    private void write(String sql) {
        if (out.length() + sql.length() > MAX_SQL_CHARS) {
            throw PyException.template("the rendered SQL is longer than " + MAX_SQL_CHARS + " characters", Functions.DOCUMENTATION);
        }
        out.append(sql);
    }

    /**
     * Tinybird's expression_wrapper; an exception caught with {@code as e} is refused, because Tinybird would print
     * its text, which may quote a request value, into the SQL unescaped.
     */
    private static String print(Object value, String source) {
        if (value instanceof Py.CaughtError) {
            throw PyException.template("{{ " + source + " }} prints an exception, whose text may hold request values; "
                    + "print str(" + source + ") to get an escaped string", Functions.DOCUMENTATION);
        }
        return Functions.wrap(value, source);
    }

    /** As in Python: the first matching handler runs; else runs without an exception; finally always. */
    private Flow runTry(Node.Try block) {
        try {
            Flow flow;
            try {
                flow = run(block.body());
            } catch (PyException e) {
                for (Node.Handler handler : block.handlers()) {
                    if (catches(handler, e)) {
                        if (handler.name() != null) {
                            locals.put(handler.name(), new Py.CaughtError(e.type(), e.getMessage()));
                        }
                        return run(handler.body());
                    }
                }
                throw e;
            }
            return flow == Flow.NORMAL ? run(block.otherwise()) : flow;
        } finally {
            run(block.cleanup());
        }
    }

    private boolean catches(Node.Handler handler, PyException e) {
        if (handler.type() == null) {
            return true;
        }
        Object type = evaluate(handler.type());
        List<Object> classes = type instanceof Py.Tuple t ? t.items() : List.of(type);
        for (Object c : classes) {
            if (!(c instanceof Py.ExceptionClass exceptionClass)) {
                throw Py.typeError("catching classes that do not inherit from BaseException is not allowed");
            }
            if (e.isInstance(exceptionClass.name())) {
                return true;
            }
        }
        return false;
    }

    private void assign(Expr target, Object value) {
        if (target instanceof Expr.Name name) {
            locals.put(name.id(), value);
            return;
        }
        List<Expr> names = ((Expr.TupleExpr) target).elts();
        List<Object> items = Py.iterate(value);
        if (items.size() < names.size()) {
            throw Py.valueError("not enough values to unpack (expected " + names.size() + ", got " + items.size() + ")");
        }
        if (items.size() > names.size()) {
            throw Py.valueError("too many values to unpack (expected " + names.size() + ")");
        }
        for (int i = 0; i < names.size(); i++) {
            assign(names.get(i), items.get(i));
        }
    }

    private Object lookup(String name) {
        if (localNames.contains(name)) {
            if (!locals.containsKey(name)) {
                throw new PyException("UnboundLocalError",
                        "cannot access local variable '" + name + "' where it is not associated with a value");
            }
            return locals.get(name);
        }
        if (name.equals("tb_secret") || name.equals("tb_var")) {
            return tbSecret;
        }
        Py.Callable fixed = Functions.fixed(name);
        if (fixed != null) {
            return fixed;
        }
        Object param = params.get(name);
        if (param != null) {
            return param;
        }
        Py.Callable shadowable = Functions.shadowable(name);
        if (shadowable != null) {
            return shadowable;
        }
        // Tinybird binds id to None so that it is a parameter rather than Python's id().
        return name.equals("id") ? null : Builtins.lookup(name);
    }

    Object evaluate(Expr expr) {
        return switch (expr) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> lookup(n.id());
            case Expr.Attribute a -> {
                Object value = evaluate(a.value());
                if (!Builtins.hasMethod(value, a.attr())) {
                    throw new PyException("AttributeError", "'" + Py.typeName(value) + "' object has no attribute '" + a.attr() + "'");
                }
                yield new Py.BoundMethod(value, a.attr());
            }
            case Expr.Subscript s -> {
                Object value = evaluate(s.value());
                if (s.index() instanceof Expr.Slice slice) {
                    yield Py.slice(value, evaluateOrNull(slice.lower()), evaluateOrNull(slice.upper()), evaluateOrNull(slice.step()));
                }
                yield Py.subscript(value, evaluate(s.index()));
            }
            case Expr.Call call -> call(call);
            case Expr.Unary u -> switch (u.op()) {
                case "not" -> !Py.truthy(evaluate(u.operand()));
                case "-" -> Py.negate(evaluate(u.operand()));
                default -> Py.plus(evaluate(u.operand()));
            };
            case Expr.Binary b -> Py.binary(evaluate(b.left()), b.op(), evaluate(b.right()));
            case Expr.BoolOp b -> {
                Object value = null;
                for (Expr operand : b.values()) {
                    value = evaluate(operand);
                    if (Py.truthy(value) == b.op().equals("or")) {
                        break;
                    }
                }
                yield value;
            }
            case Expr.Compare c -> compare(c);
            case Expr.IfExp i -> Py.truthy(evaluate(i.test())) ? evaluate(i.body()) : evaluate(i.orelse());
            case Expr.ListExpr l -> {
                List<Object> items = new ArrayList<>();
                l.elts().forEach(e -> items.add(evaluate(e)));
                yield items;
            }
            case Expr.TupleExpr t -> {
                List<Object> items = new ArrayList<>();
                t.elts().forEach(e -> items.add(evaluate(e)));
                yield new Py.Tuple(items);
            }
            case Expr.DictExpr d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = evaluate(d.keys().get(i));
                    if (key instanceof List<?> || key instanceof Map<?, ?>) {
                        throw Py.typeError("unhashable type: '" + Py.typeName(key) + "'");
                    }
                    map.put(key, evaluate(d.values().get(i)));
                }
                yield map;
            }
            case Expr.Slice s -> throw new IllegalStateException("a slice outside a subscript");
            case Expr.Keyword k -> throw new IllegalStateException("a keyword outside a call");
        };
    }

    private Object evaluateOrNull(Expr expr) {
        return expr == null ? null : evaluate(expr);
    }

    private Object call(Expr.Call call) {
        Object function = evaluate(call.func());
        List<Object> args = new ArrayList<>();
        call.args().forEach(a -> args.add(evaluate(a)));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        call.keywords().forEach(k -> kwargs.put(k.name(), evaluate(k.value())));
        return switch (function) {
            case Py.Callable callable -> callable.call(args, kwargs);
            case Py.BoundMethod method -> Builtins.callMethod(method.self(), method.name(), args, kwargs);
            case null, default -> throw Py.typeError("'" + Py.typeName(function) + "' object is not callable");
        };
    }

    private Object compare(Expr.Compare c) {
        Object left = evaluate(c.left());
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = evaluate(c.comparators().get(i));
            String op = c.ops().get(i);
            boolean holds = switch (op) {
                case "==" -> Py.equal(left, right);
                case "!=" -> !Py.equal(left, right);
                case "in" -> Py.contains(right, left);
                case "not in" -> !Py.contains(right, left);
                case "is" -> same(left, right);
                case "is not" -> !same(left, right);
                default -> {
                    int order = Py.order(left, right, op);
                    yield switch (op) {
                        case "<" -> order < 0;
                        case "<=" -> order <= 0;
                        case ">" -> order > 0 && order != 2;
                        default -> order >= 0 && order != 2;
                    };
                }
            };
            if (!holds) {
                return false;
            }
            left = right;
        }
        return true;
    }

    /** Python's {@code is}: None, True and False are singletons; small ints are shared as in CPython. */
    private static boolean same(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a instanceof Boolean || b instanceof Boolean) {
            return a != null && a.equals(b);
        }
        if (a instanceof BigInteger x && b instanceof BigInteger y) {
            return x.equals(y) && x.compareTo(BigInteger.valueOf(-5)) >= 0 && x.compareTo(BigInteger.valueOf(256)) <= 0;
        }
        return false;
    }
}
