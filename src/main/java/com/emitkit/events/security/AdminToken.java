package com.emitkit.events.security;

import com.emitkit.events.config.EmitKitConfig;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** {@code emitkit.api.admin-token}: whether it is set, and whether a bearer credential is it. */
@Singleton
public class AdminToken {

    private final Optional<byte[]> token;

    AdminToken(EmitKitConfig config) {
        this.token = config.api().adminToken().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    boolean configured() {
        return token.isPresent();
    }

    /** Compared in constant time: the answer's timing tells nothing about the token. */
    boolean matches(String credential) {
        return credential != null && token.isPresent()
                && MessageDigest.isEqual(credential.getBytes(StandardCharsets.UTF_8), token.get());
    }
}
