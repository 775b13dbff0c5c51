package com.emitkit.events.local.template;

/** The template itself is wrong (a bug in the datafile), whatever the request sends. */
public class TemplateSyntaxException extends TemplateException {
    private final int line;

    TemplateSyntaxException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** 1-based line within the source given to {@link PipeTemplate#parse}. */
    public int line() {
        return line;
    }
}
