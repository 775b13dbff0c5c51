package com.emitkit.events.local.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Tinybird checks and derives from a template before running it: the names it assigns (locals), the
 * parameters it refers to, the reserved names it may not use ({@code format}, {@code q}), calls to functions
 * that do not exist or with arguments they do not take, type defaults that fail their own type, and the list of
 * parameters without a default that its "Required parameter is not defined" message names
 * ({@code get_var_names_and_types}).
 */
final class Analysis {
    private static final Set<String> DEFAULT_PARAM_NAMES = Set.of("format", "q");
    private static final Set<String> TYPE_FUNCTIONS = Set.of("String", "Boolean", "DateTime64", "DateTime", "Date",
            "Float32", "Float64", "Int8", "Int16", "Int32", "Int64", "Int128", "Int256", "UInt8", "UInt16", "UInt32",
            "UInt64", "UInt128", "UInt256", "Int", "Integer", "Array");
    // Tinybird's parameter_types: the calls whose first argument is a typed parameter (Int and Integer are not).
    private static final Set<String> PARAMETER_TYPES = Set.of("String", "Boolean", "DateTime64", "DateTime", "Date",
            "Float32", "Float64", "Int8", "Int16", "Int32", "Int64", "Int128", "Int256", "UInt8", "UInt16", "UInt32",
            "UInt64", "UInt128", "UInt256", "JSON");
    // Functions whose first argument Tinybird records as "used in a function call", never as a missing parameter.
    private static final Set<String> CUSTOM_FUNCTIONS = Set.of("defined", "column", "columns", "symbol", "table",
            "TABLE", "split_to_array", "enumerate_with_last", "day_diff", "date_diff_in_days", "date_diff_in_hours",
            "date_diff_in_minutes", "date_diff_in_seconds", "sql_unescape", "sql_and", "error", "custom_error",
            "max_threads", "cache_ttl", "tb_secret", "tb_var");
    // Python's built-in names and Tinybird's own functions, which are never template variables.
    private static final Set<String> RESERVED = Set.of("abs", "all", "any", "ascii", "bin", "bool", "breakpoint",
            "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex", "copyright", "credits",
            "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "exit", "filter", "float", "frozenset",
            "getattr", "globals", "hasattr", "hash", "help", "hex", "input", "int", "isinstance", "issubclass", "iter",
            "len", "license", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open",
            "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice",
            "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip", "Exception",
            "BaseException", "ValueError", "TypeError", "KeyError", "IndexError", "LookupError", "AttributeError",
            "NameError", "ZeroDivisionError", "ArithmeticError", "columns", "table", "TABLE", "error", "custom_error",
            "sql_and", "defined", "column", "enumerate_with_last", "split_to_array", "day_diff", "date_diff_in_days",
            "date_diff_in_hours", "date_diff_in_minutes", "date_diff_in_seconds", "sql_unescape", "JSON", "symbol");

    /** An entry of Tinybird's variable list: a parameter, whether its default is None, and whether it is only
     * the argument of a helper such as defined(). */
    private record Variable(String type, boolean withoutDefault, boolean usedInFunction) {
    }

    private final Set<String> localNames = new HashSet<>();
    private final List<String> requiredCandidates = new ArrayList<>();
    private final Set<String> typedNames = new HashSet<>();
    private final Map<String, String> firstTypes = new LinkedHashMap<>();
    private final Set<String> parameterNames = new LinkedHashSet<>();

    private Analysis() {
    }

    /**
     * The checked template's locals, the parameters its missing-parameter message lists, and the type Tinybird
     * assigns each parameter (the first it finds, e.g. "Array(Int32)").
     */
    record Result(Set<String> localNames, Set<String> parameterNames, List<String> parametersWithoutDefault,
                  Map<String, String> parameterTypes) {
    }

    static Result analyse(List<Node> nodes) {
        Analysis analysis = new Analysis();
        analysis.collectLocals(nodes);
        analysis.check(nodes);
        analysis.variables(nodes);
        List<String> withoutDefault = List.copyOf(new LinkedHashSet<>(analysis.requiredCandidates));
        return new Result(Collections.unmodifiableSet(analysis.localNames), Collections.unmodifiableSet(analysis.parameterNames),
                withoutDefault, Map.copyOf(analysis.firstTypes));
    }

    // --- locals: Tornado compiles the template into one Python function, so an assigned name is local throughout.

    private void collectLocals(List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case Node.Set set -> addTargets(set.target());
                case Node.For loop -> {
                    addTargets(loop.target());
                    collectLocals(loop.body());
                    collectLocals(loop.otherwise());
                }
                case Node.If block -> {
                    block.branches().forEach(b -> collectLocals(b.body()));
                    collectLocals(block.otherwise());
                }
                case Node.While loop -> {
                    collectLocals(loop.body());
                    collectLocals(loop.otherwise());
                }
                case Node.Try block -> {
                    collectLocals(block.body());
                    for (Node.Handler handler : block.handlers()) {
                        if (handler.name() != null) {
                            localNames.add(handler.name());
                        }
                        collectLocals(handler.body());
                    }
                    collectLocals(block.otherwise());
                    collectLocals(block.cleanup());
                }
                default -> { }
            }
        }
    }

    private void addTargets(Expr target) {
        if (target instanceof Expr.Name name) {
            localNames.add(name.id());
        } else {
            target.children().forEach(this::addTargets);
        }
    }

    // --- checks Tinybird makes when a pipe is pushed

    private void check(List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case Node.Output output -> check(output.expr(), output.line());
                case Node.If block -> block.branches().forEach(b -> {
                    check(b.condition(), b.line());
                    check(b.body());
                });
                case Node.For loop -> {
                    check(loop.target(), loop.line());
                    check(loop.iterable(), loop.line());
                    check(loop.body());
                    check(loop.otherwise());
                }
                case Node.While loop -> {
                    check(loop.condition(), loop.line());
                    check(loop.body());
                    check(loop.otherwise());
                }
                case Node.Try block -> {
                    check(block.body());
                    for (Node.Handler handler : block.handlers()) {
                        if (handler.type() != null) {
                            check(handler.type(), handler.line());
                        }
                        if (handler.name() != null) {
                            requireNotReserved(handler.name(), handler.line());
                        }
                        check(handler.body());
                    }
                    check(block.otherwise());
                    check(block.cleanup());
                }
                case Node.Set set -> {
                    check(set.target(), set.line());
                    check(set.value(), set.line());
                }
                default -> { }
            }
        }
    }

    private void check(Expr expr, int line) {
        switch (expr) {
            case Expr.Name name -> {
                requireNotReserved(name.id(), line);
                if (isParameter(name.id())) {
                    parameterNames.add(name.id());
                }
            }
            case Expr.Attribute attribute -> requireNotReserved(attribute.attr(), line);
            case Expr.Call call when call.func() instanceof Expr.Name(String function) && !localNames.contains(function) ->
                    checkCall(function, call, line);
            case Expr.Call call when call.func() instanceof Expr.Attribute(Expr value, String method)
                    && !Builtins.isMethod(method) ->
                    throw new TemplateSyntaxException(line, "the method ." + method + "() is not one the embedded Tinybird evaluates");
            default -> { }
        }
        expr.children().forEach(child -> check(child, line));
    }

    /** A name that resolves to a request parameter: not a local, a template function or a Python built-in. */
    private boolean isParameter(String name) {
        return !localNames.contains(name) && Functions.fixed(name) == null && Functions.shadowable(name) == null
                && !name.equals("tb_secret") && !name.equals("tb_var") && (name.equals("id") || Builtins.lookup(name) == null);
    }

    /** Tinybird refuses "format" and "q" anywhere Python would see them as names. */
    private static void requireNotReserved(String name, int line) {
        if (DEFAULT_PARAM_NAMES.contains(name)) {
            throw new TemplateSyntaxException(line, "\"" + name + "\" can not be used as a variable name");
        }
    }

    private void checkCall(String function, Expr.Call call, int line) {
        Object target = switch (function) {
            case "tb_secret", "tb_var" -> Functions.tbSecret(name -> null);
            default -> {
                Py.Callable callable = Functions.fixed(function);
                if (callable == null) {
                    callable = Functions.shadowable(function);
                }
                yield callable != null ? callable : Builtins.lookup(function);
            }
        };
        if (!(target instanceof Py.Callable callable)) {
            if (function.equals("table") || function.equals("TABLE")) {
                throw new TemplateSyntaxException(line, "'" + function + "' is not supported: Tinybird prints its argument "
                        + "into the SQL without quoting it");
            }
            throw new TemplateSyntaxException(line, RESERVED.contains(function)
                    ? "'" + function + "' is a Python built-in that the embedded Tinybird does not evaluate"
                    : "'" + function + "' is not a valid function");
        }
        List<Object> args = new ArrayList<>(Collections.nCopies(call.args().size(), null));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        call.keywords().forEach(k -> kwargs.put(k.name(), null));
        try {
            callable.signature().bind(args, kwargs);
        } catch (PyException e) {
            throw new TemplateSyntaxException(line, e.getMessage());
        }
        if (TYPE_FUNCTIONS.contains(function)) {
            checkDefault(function, callable, call, line);
        }
    }

    /**
     * A literal default that fails its own type is a bug Tinybird reports when the pipe is pushed (its check
     * renders with the default); a falsy default ('' or 0) is not checked there, only when a request uses it.
     */
    private static void checkDefault(String function, Py.Callable callable, Expr.Call call, int line) {
        int defaultIndex = function.equals("Array") ? 2 : 1;
        Expr defaultExpr = call.args().size() > defaultIndex ? call.args().get(defaultIndex)
                : call.keywords().stream().filter(k -> k.name().equals("default")).map(Expr.Keyword::value).findFirst().orElse(null);
        if (!(defaultExpr instanceof Expr.Const(Object value)) || !Py.truthy(value)) {
            return;
        }
        List<Object> args = new ArrayList<>();
        args.add(null);
        for (Expr argument : call.args().subList(1, call.args().size())) {
            if (!(argument instanceof Expr.Const(Object constant))) {
                return;
            }
            args.add(constant);
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (Expr.Keyword keyword : call.keywords()) {
            if (!(keyword.value() instanceof Expr.Const(Object constant))) {
                return;
            }
            kwargs.put(keyword.name(), constant);
        }
        try {
            callable.call(args, kwargs);
        } catch (PyException e) {
            throw new TemplateSyntaxException(line, function + "() has an invalid default: " + e.getMessage());
        }
    }

    // --- Tinybird's get_var_names_and_types, for the missing-parameter message

    private void variables(List<Node> nodes) {
        for (Node node : nodes) {
            switch (node) {
                case Node.Output output -> {
                    Map<String, Variable> found = variableData(List.of(output.expr()));
                    typedNames.addAll(found.keySet());
                    record(found);
                }
                case Node.If block -> {
                    for (int i = 0; i < block.branches().size(); i++) {
                        Node.Branch branch = block.branches().get(i);
                        if (i > 0) {
                            statement(List.of(branch.condition()));
                        }
                        variables(branch.body());
                    }
                    variables(block.otherwise());
                    statement(List.of(block.branches().getFirst().condition()));
                }
                case Node.For loop -> {
                    variables(loop.body());
                    variables(loop.otherwise());
                    statement(List.of(loop.target(), loop.iterable()));
                }
                case Node.While loop -> {
                    variables(loop.body());
                    variables(loop.otherwise());
                    statement(List.of(loop.condition()));
                }
                case Node.Try block -> {
                    variables(block.body());
                    for (Node.Handler handler : block.handlers()) {
                        if (handler.type() != null) {
                            statement(List.of(handler.type()));
                        }
                        variables(handler.body());
                    }
                    variables(block.otherwise());
                    variables(block.cleanup());
                }
                case Node.Set set -> statement(List.of(set.target(), set.value()));
                default -> { }
            }
        }
    }

    /** A control statement adds only the names no {{ }} expression has typed already. */
    private void statement(List<Expr> roots) {
        Map<String, Variable> found = variableData(roots);
        found.keySet().removeAll(typedNames);
        record(found);
    }

    private void record(Map<String, Variable> found) {
        found.forEach((name, variable) -> {
            firstTypes.putIfAbsent(name, variable.type());
            if (variable.withoutDefault() && !variable.usedInFunction()) {
                requiredCandidates.add(name);
            }
        });
    }

    /** Tinybird's get_var_data: a breadth-first walk in which the last finding for a name wins, in first-seen order. */
    private static Map<String, Variable> variableData(List<Expr> roots) {
        Map<String, Variable> vars = new LinkedHashMap<>();
        Deque<Expr[]> queue = new ArrayDeque<>();
        roots.forEach(root -> queue.add(new Expr[] {root, null}));
        while (!queue.isEmpty()) {
            Expr[] entry = queue.poll();
            Expr node = entry[0];
            Expr parent = entry[1];
            if (node instanceof Expr.Call call && call.func() instanceof Expr.Name(String function)) {
                callData(function, call, vars);
            } else if (node instanceof Expr.Name(String id) && !(parent instanceof Expr.Call) && !RESERVED.contains(id)) {
                vars.put(id, new Variable("String", true, false));
            }
            node.children().forEach(child -> queue.add(new Expr[] {child, node}));
        }
        return vars;
    }

    private static void callData(String function, Expr.Call call, Map<String, Variable> vars) {
        List<Object> args = new ArrayList<>();
        for (Expr argument : call.args()) {
            if (!(argument instanceof Expr.Call)) {
                args.add(nodeValue(argument));
            }
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        call.keywords().forEach(k -> kwargs.put(k.name(), nodeValue(k.value())));
        if (CUSTOM_FUNCTIONS.contains(function)) {
            if (!args.isEmpty() && Py.truthy(args.getFirst()) && !vars.containsKey(Py.str(args.getFirst()))) {
                vars.put(Py.str(args.getFirst()), new Variable("String", true, true));
            }
        } else if (function.equals("Array")) {
            Object defaultValue = kwargs.containsKey("default") ? kwargs.get("default")
                    : args.size() > 2 && Py.truthy(args.get(2)) ? args.get(2) : null;
            if (!args.isEmpty()) {
                String type = "Array(" + (args.size() > 1 ? Py.str(args.get(1)) : "String") + ")";
                vars.put(Py.str(args.getFirst()), new Variable(type, defaultValue == null, false));
            }
        } else if (PARAMETER_TYPES.contains(function) && !args.isEmpty() && args.getFirst() != null) {
            Object defaultValue = kwargs.containsKey("default") ? kwargs.get("default") : args.size() > 1 ? args.get(1) : null;
            vars.put(Py.str(args.getFirst()), new Variable(function, defaultValue == null, false));
        }
    }

    /** Tinybird's node_to_value: literals, names, and the left operand of arithmetic; None for anything else. */
    private static Object nodeValue(Expr node) {
        return switch (node) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> n.id();
            case Expr.ListExpr l -> l.elts().stream().map(Analysis::nodeValue).toList();
            case Expr.Binary b -> {
                Object left = nodeValue(b.left());
                yield Py.truthy(left) ? left : nodeValue(b.right());
            }
            case Expr.Unary u when u.operand() instanceof Expr.Const c -> c.value();
            default -> null;
        };
    }
}
