package com.emitkit.events.local.template;

import java.util.Set;

/**
 * A Python exception raised while rendering: a template's {@code try/except} can catch it by its Python class;
 * uncaught, {@link PipeTemplate} turns it into the HTTP error Tinybird answers.
 */
final class PyException extends RuntimeException {
    private static final Set<String> VALUE_ERRORS = Set.of("ValueError", "SQLTemplateException");
    private static final Set<String> LOOKUP_ERRORS = Set.of("LookupError", "IndexError", "KeyError");
    private static final Set<String> NAME_ERRORS = Set.of("NameError", "UnboundLocalError");
    private static final Set<String> ARITHMETIC_ERRORS = Set.of("ArithmeticError", "ZeroDivisionError");

    private final String type;
    private final String documentation;
    private final transient Object customBody;
    private final int customStatus;

    PyException(String type, String message) {
        this(type, message, null, null, 0);
    }

    private PyException(String type, String message, String documentation, Object customBody, int customStatus) {
        super(message, null, false, false);
        this.type = type;
        this.documentation = documentation;
        this.customBody = customBody;
        this.customStatus = customStatus;
    }

    /** Tinybird's SQLTemplateException: a ValueError whose text starts with "Template Syntax Error: ". */
    static PyException template(String message, String documentation) {
        return new PyException("SQLTemplateException", "Template Syntax Error: " + message, documentation, null, 0);
    }

    /** Tinybird's SQLTemplateCustomError, raised by {@code custom_error(body, status)}. */
    static PyException custom(Object body, int status) {
        return new PyException("SQLTemplateCustomError", Py.str(body), null, body, status);
    }

    String type() {
        return type;
    }

    String documentation() {
        return documentation;
    }

    Object customBody() {
        return customBody;
    }

    int customStatus() {
        return customStatus;
    }

    /** Whether {@code except <className>} catches this exception. */
    boolean isInstance(String className) {
        return switch (className) {
            case "BaseException", "Exception" -> true;
            case "ValueError" -> VALUE_ERRORS.contains(type);
            case "LookupError" -> LOOKUP_ERRORS.contains(type);
            case "NameError" -> NAME_ERRORS.contains(type);
            case "ArithmeticError" -> ARITHMETIC_ERRORS.contains(type);
            default -> type.equals(className);
        };
    }
}
