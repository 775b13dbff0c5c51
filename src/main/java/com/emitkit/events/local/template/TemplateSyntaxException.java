package com.emitkit.events.local.template;

/** The template itself is wrong (a bug in the datafile), whatever the request sends; found when it is parsed. */
public class TemplateSyntaxException extends TemplateException {
    private final int line;

    TemplateSyntaxException(int line, String message) {
        super("line " + line + ": " + message, null);
        this.line = line;
    }

    /** 1-based line within the source given to {@link PipeTemplate#parse}. */
    public int line() {
        return line;
    }
}
