package com.emitkit.events.security;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * As {@link ReadAccess}, and a dashboard token (never an API key) may come as {@code ?access_token=} instead of
 * the header: a browser's {@code EventSource} cannot send an {@code Authorization} header.
 * {@link CallerAuthentication}.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface StreamAccess {
}
