package com.emitkit.events.local.template;

/** Any failure to parse or render a pipe template; see the subclasses for who is at fault. */
public abstract class TemplateException extends RuntimeException {
    // Tinybird answers errors with a link to its documentation; the paths are Tinybird's own.
    private static final String DOCUMENTATION_BASE = "https://www.tinybird.co/docs";
    private static final String DEFAULT_DOCUMENTATION = "/query/query-parameters.html";

    private final String documentation;

    TemplateException(String message, String documentation) {
        super(message);
        this.documentation = documentation;
    }

    /** The URL of the documentation page Tinybird names with this error. */
    public String documentation() {
        return DOCUMENTATION_BASE + (documentation == null ? DEFAULT_DOCUMENTATION : documentation);
    }
}
