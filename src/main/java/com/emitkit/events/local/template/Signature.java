package com.emitkit.events.local.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A Python function's parameters, binding a call's arguments as Python does and failing with Python's TypeError
 * messages (Tinybird turns some of them into its own wording).
 */
record Signature(String function, List<String> parameters, int required, boolean varargs, boolean varkw) {
    /** A value for "no default": the parameter is required. */
    static final Object REQUIRED = new Object();

    /** {@code names} in order; the first {@code required} have no default. */
    static Signature of(String function, int required, String... names) {
        return new Signature(function, List.of(names), required, false, false);
    }

    /** {@code function(*args, **kwargs)}. */
    static Signature variadic(String function) {
        return new Signature(function, List.of(), 0, true, true);
    }

    /**
     * The value of each parameter (null where a default applies: {@link #isSet} tells them apart), then the extra
     * positional arguments as a list and the extra keywords as a map when the function takes them.
     */
    Object[] bind(List<Object> args, Map<String, Object> kwargs) {
        int count = parameters.size();
        Object[] bound = new Object[count + 2];
        Arrays.fill(bound, 0, count, REQUIRED);
        if (args.size() > count && !varargs) {
            String takes = required == count ? String.valueOf(count) : "from " + required + " to " + count;
            throw Py.typeError(function + "() takes " + takes + " positional argument" + (count == 1 && required == count ? "" : "s")
                    + " but " + args.size() + (args.size() == 1 ? " was" : " were") + " given");
        }
        for (int i = 0; i < Math.min(count, args.size()); i++) {
            bound[i] = args.get(i);
        }
        bound[count] = new ArrayList<>(args.subList(Math.min(count, args.size()), args.size()));
        Map<String, Object> extra = new LinkedHashMap<>();
        kwargs.forEach((name, value) -> {
            int index = parameters.indexOf(name);
            if (index < 0) {
                if (!varkw) {
                    throw Py.typeError(function + "() got an unexpected keyword argument '" + name + "'");
                }
                extra.put(name, value);
            } else if (bound[index] != REQUIRED) {
                throw Py.typeError(function + "() got multiple values for argument '" + name + "'");
            } else {
                bound[index] = value;
            }
        });
        bound[count + 1] = extra;
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < required; i++) {
            if (bound[i] == REQUIRED) {
                missing.add("'" + parameters.get(i) + "'");
            }
        }
        if (!missing.isEmpty()) {
            String names = missing.size() == 1 ? missing.getFirst()
                    : String.join(", ", missing.subList(0, missing.size() - 1)) + " and " + missing.getLast();
            throw Py.typeError(function + "() missing " + missing.size() + " required positional argument"
                    + (missing.size() == 1 ? "" : "s") + ": " + names);
        }
        return bound;
    }

    /** A Python function with this signature whose body gets the bound arguments. */
    Py.Callable callable(Function<Object[], Object> body) {
        return new Py.Callable() {
            @Override
            public String name() {
                return function;
            }

            @Override
            public Signature signature() {
                return Signature.this;
            }

            @Override
            public Object call(List<Object> args, Map<String, Object> kwargs) {
                return body.apply(bind(args, kwargs));
            }
        };
    }

    /** Whether the call passed parameter {@code index} (so that a default does not apply). */
    static boolean isSet(Object[] bound, int index) {
        return bound[index] != REQUIRED;
    }

    /** The bound value, or {@code fallback} when the call left it to its default. */
    static Object get(Object[] bound, int index, Object fallback) {
        return bound[index] == REQUIRED ? fallback : bound[index];
    }
}
