package com.emitkit.events.tinybird;

import java.net.URI;

/** The Tinybird API this service talks to, and the token it uses there. */
public record TinybirdTarget(URI apiUrl, String token, boolean embedded) {

    @Override
    public String toString() {
        return "TinybirdTarget[" + apiUrl + (embedded ? ", embedded" : "") + "]";
    }
}
