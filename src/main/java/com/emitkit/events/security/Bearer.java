package com.emitkit.events.security;

/** The credential of an {@code Authorization: Bearer ...} header. */
final class Bearer {

    private static final String SCHEME = "Bearer ";

    private Bearer() {
    }

    /** The credential, or null when the header is absent or of another scheme. */
    static String credential(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                ? authorization.substring(SCHEME.length()).strip() : null;
    }
}
